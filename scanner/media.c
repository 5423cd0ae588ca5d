/* placeholder: being written (issue #3 media layer) */

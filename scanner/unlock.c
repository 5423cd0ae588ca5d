/* placeholder: being written (issue #3 unlocking) */

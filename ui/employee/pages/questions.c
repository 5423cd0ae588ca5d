/* Kikan kiosk UI: the declaration's words on screen (questions.h). */
#include "questions.h"

#include "kiosk-i18n.h"

static const KikanUiQuestion questions[] = {
    [1] = { N_("The list shows everything lent to you. Is any of it not with you today?"),
            N_("That is fine to say. On the next screens, mark each item you do not have with "
               "you: at home (and when you will bring it), lost, stolen, damaged or handed to "
               "someone else."),
            { N_("Look at the list on the next screen and compare it with what is in your "
                 "bag. The asset tag is the sticker with a number such as LT-0003 or "
                 "USB-0007."),
              N_("Compare the list with what you brought. The asset tag is on the underside of "
                 "a laptop or on the cap of a stick."),
              N_("Compare the list with what you brought. The asset tag is on a sticker on the "
                 "device."),
              N_("A company phone has its asset tag on the back or inside the case.") } },
    [2] = { N_("Was any item lost, stolen or damaged at any time, even if you later found it?"),
            N_("When and where did it happen, and what data was on it?"),
            { N_("Think of any time a device was out of your sight in a public place, left "
                 "behind, or dropped."),
              N_("Think of any time a device was out of your sight in a public place, left "
                 "behind, or dropped."),
              N_("Think of any time a device was out of your sight in a public place, left "
                 "behind, or dropped."),
              N_("In Settings, a phone that was reset or restored from a backup may have been "
                 "lost or repaired in between.") } },
    [3] = { N_("Did you install any software, apps, browser extensions or online-meeting tools "
               "that IT did not provide?"),
            N_("Which ones? Were they approved when you asked?"),
            { N_("Open Settings → Apps → Installed apps and look for anything you added. In "
                 "your browser, open the Extensions page."),
              N_("Open the Applications folder in Finder and look for anything you added. In "
                 "your browser, open the Extensions page."),
              N_("Open the Software app, or run “apt list --manual-installed” in a terminal."),
              N_("Look at your home screens and the app library for apps you added.") } },
    [4] = { N_("Did you download any software from somewhere other than the official store or "
               "vendor site?"),
            N_("Which software, and from where?"),
            { N_("Open the Downloads folder and look for .exe or .msi files."),
              N_("Open the Downloads folder and look for .dmg or .pkg files."),
              N_("Open the Downloads folder and look for .deb, .AppImage or script files."),
              N_("Apps installed from outside the store need “unknown sources” turned on in "
                 "Settings.") } },
    [5] = { N_("Did anything odd happen: slowness, pop-ups, unknown files, security warnings, "
               "crashes or a ransom message?"),
            N_("What happened, and roughly when?"),
            { N_("Open Windows Security → Protection history to see recent warnings."),
              N_("Think of any warnings, unexpected restarts or apps that opened by "
                 "themselves."),
              N_("Think of any warnings, unexpected restarts or files you did not create."),
              N_("Think of pop-ups, battery that ran down fast or apps you did not "
                 "install.") } },
    [6] = { N_("Did you open a suspicious mail, attachment or link, or get an unusual request to "
               "pay or transfer money?"),
            N_("What did you do, and did you report it?"),
            { N_("Look in your mail for messages you were unsure about; phishing often asks you "
                 "to act quickly."),
              N_("Look in your mail for messages you were unsure about; phishing often asks you "
                 "to act quickly."),
              N_("Look in your mail for messages you were unsure about; phishing often asks you "
                 "to act quickly."),
              N_("Think of text messages or chats with links or payment requests.") } },
    [7] = { N_("Did you use a personal PC, tablet or phone for work?"),
            N_("Which device, what work, and is work data still on it?"),
            { N_("A personal device (BYOD) is any device the company did not lend you."),
              N_("A personal device (BYOD) is any device the company did not lend you."),
              N_("A personal device (BYOD) is any device the company did not lend you."),
              N_("Reading work mail or chat on your own phone counts too.") } },
    [8] = { N_("Did you move data between a personal device and a company device or medium?"),
            N_("Which media? They can be checked here today."),
            { N_("Think of files copied with a USB stick, a cable or a card between your own "
                 "computer and a company one."),
              N_("Think of files copied with a USB stick, AirDrop or a card between your own "
                 "Mac and a company device."),
              N_("Think of files copied with a USB stick or a card between your own computer "
                 "and a company one."),
              N_("Think of photos or files moved between your phone and a company "
                 "device.") } },
    [9] = { N_("Did you use any USB memory, disk or CD/DVD that the company did not lend or "
               "register?"),
            N_("Please plug it in or hand it over on the next screens: it is checked here."),
            { N_("Removable media: USB memory, CD, DVD, external disks and memory cards."),
              N_("Removable media: USB memory, CD, DVD, external disks and memory cards."),
              N_("Removable media: USB memory, CD, DVD, external disks and memory cards."),
              N_("Memory cards in a phone count as removable media too.") } },
    [10] = { N_("Did you store work data on the device itself or on removable media? Of which "
                "level (confidential / internal / public)? Any personal data?"),
             N_("Which item, which level, and was there personal data?"),
             { N_("Look in Documents, Desktop and Downloads for work files."),
               N_("Look in Documents, Desktop and Downloads for work files."),
               N_("Look in your home folder for work files."),
               N_("Look in Files, Photos and downloads for work files.") } },
    [11] = { N_("Did you postpone, skip or turn off any OS or software updates?"),
             N_("Which updates, and when was the last one?"),
             { N_("Open Settings → Windows Update to see the update history."),
               N_("Open System Settings → General → Software Update."),
               N_("Open the Software app’s Updates tab, or look at /var/log/apt/history.log."),
               N_("Open Settings → System (or General) → Software update.") } },
    [12] = { N_("Did you turn off or change any security setting (antivirus, firewall, VPN, "
                "encryption, screen lock)?"),
             N_("Which setting, and why?"),
             { N_("Open Windows Security and look for anything marked as turned off."),
               N_("Open System Settings → Network → Firewall, and Privacy & Security."),
               N_("Check the firewall (ufw status) and the screen-lock settings."),
               N_("Open Settings → Security and look at the screen lock.") } },
    [13] = { N_("Did you work over public or hotel Wi-Fi without the company VPN?"),
             N_("Where, and how often?"),
             { N_("Open Settings → Network & internet → Wi-Fi → Manage known networks."),
               N_("Open System Settings → Wi-Fi → Known networks."),
               N_("Open the network settings and look at the saved Wi-Fi networks."),
               N_("Open Settings → Wi-Fi and look at the saved networks.") } },
    [14] = { N_("Might any password, IC card or token of yours have been seen, shared, lost or "
                "reused elsewhere?"),
             N_("Which account, card or token?"),
             { N_("Think of passwords written down, typed where others could see, or used on "
                  "other sites."),
               N_("Think of passwords written down, typed where others could see, or used on "
                  "other sites."),
               N_("Think of passwords written down, typed where others could see, or used on "
                  "other sites."),
               N_("Think of codes or cards lent to someone, even for a moment.") } },
    [15] = { N_("Did you take confidential paper documents or printouts home? Are all returned or "
                "disposed of by the rules?"),
             N_("Which documents?"),
             { N_("Think of printouts, notes and copies you carried home."),
               N_("Think of printouts, notes and copies you carried home."),
               N_("Think of printouts, notes and copies you carried home."),
               N_("Think of printouts, notes and copies you carried home.") } },
    [16] = { N_("Did you use cloud services (file sharing, chat, mail) that are not on the "
                "approved list?"),
             N_("Which services?"),
             { N_("Think of file-sharing links, free mail or chat apps used for work."),
               N_("Think of file-sharing links, free mail or chat apps used for work."),
               N_("Think of file-sharing links, free mail or chat apps used for work."),
               N_("Think of chat or storage apps on your phone used for work.") } },
    [17] = { N_("Is there anything you were unsure was allowed, or any rule that got in your "
                "way?"),
             N_("Tell us in your own words."),
             { N_("There is no wrong answer: this helps IT improve the rules."),
               N_("There is no wrong answer: this helps IT improve the rules."),
               N_("There is no wrong answer: this helps IT improve the rules."),
               N_("There is no wrong answer: this helps IT improve the rules.") } },
    [18] = { N_("Optional: which tasks felt risky to do from home, and what equipment do you "
                "need for hybrid work?"),
             N_("Tell us in your own words, or skip this question."),
             { N_("This question is optional."), N_("This question is optional."),
               N_("This question is optional."), N_("This question is optional.") } },
    [19] = { N_("I confirm the answers above are accurate, and I have read today's security "
                "notices and the policy version shown."),
             NULL,
             { N_("If you are unsure about an answer, choose Not sure: IT will help."),
               N_("If you are unsure about an answer, choose Not sure: IT will help."),
               N_("If you are unsure about an answer, choose Not sure: IT will help."),
               N_("If you are unsure about an answer, choose Not sure: IT will help.") } },
};

const KikanUiQuestion *
kikan_ui_question (guint q)
{
    return q >= 1 && q < G_N_ELEMENTS (questions) ? &questions[q] : NULL;
}

const char *
kikan_ui_help_system_name (KikanUiHelpSystem s)
{
    switch (s) {
    case KIKAN_UI_HELP_WINDOWS:
        return _("Windows");
    case KIKAN_UI_HELP_MACOS:
        return _("macOS");
    case KIKAN_UI_HELP_LINUX:
        return _("Linux");
    case KIKAN_UI_HELP_PHONE:
    default:
        return _("Phone or tablet");
    }
}

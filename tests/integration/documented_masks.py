"""The built-in masks as docs/access-control.md states them, written independently of the
server: mask_email keeps the first letter and the domain, mask_phone stars all but the last four
digits, mask_full is '****' for text."""


def mask_email(s):
    at = s.find("@")
    return "****" if at <= 0 else s[0] + "****" + s[at:]


def mask_phone(s):
    digits = sum(c.isdigit() for c in s)
    out, seen = [], 0
    for c in s:
        if c.isdigit():
            out.append("*" if seen + 4 < digits else c)
            seen += 1
        else:
            out.append(c)
    return "".join(out)


def mask_full(_):
    return "****"

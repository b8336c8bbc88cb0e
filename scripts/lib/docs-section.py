#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Replace the section NAME of a Markdown file with a fragment a script
wrote: everything between '<!-- NAME: begin -->' and '<!-- NAME: end -->'
(appended at the end when the markers are missing).

usage: docs-section.py DOC NAME FRAGMENT
"""
import re
import sys

import labpy


def main():
    labpy.handle_help(__doc__)
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    doc, name, frag = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
    text = open(doc).read()
    begin, end = '<!-- %s: begin -->' % name, '<!-- %s: end -->' % name
    new = begin + '\n' + frag + end
    if begin in text:
        text = re.sub(re.escape(begin) + '.*?' + re.escape(end), lambda m: new,
                      text, flags=re.S)
    else:
        text = text.rstrip('\n') + '\n\n' + new + '\n'
    open(doc, 'w').write(text)


if __name__ == '__main__':
    main()

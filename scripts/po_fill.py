"""Fills translations into locales/<lang>/LC_MESSAGES/messages.po from a JSON file
{"km": {"English msgid": "translation", ...}, "th": {...}} (after `make i18n`)."""
import sys, json
from babel.messages.pofile import read_po, write_po
def fill(lang, mapping):
    p=f'locales/{lang}/LC_MESSAGES/messages.po'
    with open(p,'rb') as f: cat=read_po(f, locale=lang)
    for k,v in mapping.items():
        assert k in cat, k
        cat[k].string=v
        cat[k].flags.discard('fuzzy')
    with open(p,'wb') as f: write_po(f, cat, width=76, omit_header=False, no_location=True, sort_output=True)
if __name__=='__main__':
    data=json.load(open(sys.argv[1]))
    for lang,m in data.items(): fill(lang,m)

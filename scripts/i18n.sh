#!/usr/bin/env bash
# Refreshes the French and German catalogues from the source and compiles them.
# Usage: scripts/i18n.sh            extract + compile
#        scripts/i18n.sh compile    compile only
# Needs GNU gettext (Debian: apt-get install gettext). After extracting, translate every
# new or fuzzy entry in locale/*/LC_MESSAGES/django.po before compiling again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
# Extracting and compiling need no production secrets; DEBUG settings load without them.
export DEBUG="${DEBUG:-1}"
IGNORES=(--ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=var)

if [[ "${1:-}" != "compile" ]]; then
    "$PYTHON" manage.py makemessages -l fr -l de --no-obsolete "${IGNORES[@]}"
    # Report what still needs a translator before the catalogues are compiled.
    for po in locale/*/LC_MESSAGES/django.po; do
        untranslated="$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)"
        fuzzy="$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)"
        # msgattrib prints the header entry as well whenever anything matched.
        echo "$po: $(( untranslated > 0 ? untranslated - 1 : 0 )) untranslated, $(( fuzzy > 0 ? fuzzy - 1 : 0 )) fuzzy"
    done
fi
"$PYTHON" manage.py compilemessages "${IGNORES[@]}"

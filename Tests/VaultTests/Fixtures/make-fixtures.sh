#!/usr/bin/env bash
# Makes the vault fixtures of the tests with the real ansible-vault (from the venv that
# scripts/ansible-venv installs). Run once; the output is committed, passwords included
# (they protect nothing). Salts are random, so a new run changes every envelope.
#
#   Tests/VaultTests/Fixtures/make-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")"
vault="$(dirname "$(../../../scripts/ansible-venv)")/ansible-vault"
# Nothing on the machine (an ansible.cfg, ANSIBLE_VAULT_*) changes what is made.
unset ANSIBLE_VAULT_IDENTITY_LIST ANSIBLE_VAULT_PASSWORD_FILE ANSIBLE_VAULT_IDENTITY ANSIBLE_VAULT_ENCRYPT_IDENTITY
export ANSIBLE_CONFIG=$PWD/passwords/ansible.cfg

mkdir -p passwords inventory/group_vars/border inventory/host_vars
printf "[defaults]\n" > passwords/ansible.cfg
printf 'vault-default-pw\n' > passwords/default.pass
printf 'prod Pw 2026!\n' > passwords/prod.pass
printf 'staging-pw\n' > passwords/staging.pass

# Whole files: three AES blocks and more, with non-ASCII text; and exactly two blocks (a
# whole block of padding).
printf 'relay_password: "s3cret-relay-pw"\nnote: "mot de passe \xc3\xa9t\xc3\xa9 \xe2\x9c\x93"\nport: 2525\n' > plain.txt
printf '0123456789abcdef0123456789abcdef' > block.txt
"$vault" encrypt --vault-password-file passwords/default.pass --output file-1.1.vault plain.txt
"$vault" encrypt --vault-id prod@passwords/prod.pass --output file-1.2-prod.vault plain.txt
"$vault" encrypt --vault-password-file passwords/default.pass --output block-1.1.vault block.txt

# An inventory: !vault values under three labels, a group_vars file encrypted whole (1.2,
# prod) beside a clear one, group_vars/all.yml encrypted whole (1.1).
inline() { # NAME VALUE VAULT-ID INDENT
    printf '%s' "$2" | "$vault" encrypt_string --vault-id "$3" --stdin-name "$1" 2>/dev/null | sed "s/^/$4/"
}
{
    echo 'all:'
    echo '  vars:'
    inline smtp_token 'tok-4f2a9c' default@passwords/default.pass '    '
    echo '  children:'
    echo '    border:'
    echo '      hosts:'
    echo '        mta1:'
    echo '        mta2:'
    inline relay_user 'relay-user-7' prod@passwords/prod.pass '          '
    echo '      vars:'
    inline relay_password 's3cret-relay-pw' prod@passwords/prod.pass '        '
} > inventory/hosts.yml
printf 'vault_sasl:\n  user: sasl-user\n  password: "sasl-pw-91"\nvault_relay_port: 587\n' > inventory/group_vars/border/vault.yml
"$vault" encrypt --vault-id prod@passwords/prod.pass inventory/group_vars/border/vault.yml
printf 'relayhost: "[relay.example.com]:587"\n' > inventory/group_vars/border/main.yml
printf 'vault_dkim_selector: "sel-2026"\nvault_list: [one-secret, two-secret]\n' > inventory/group_vars/all.yml
"$vault" encrypt --vault-password-file passwords/default.pass inventory/group_vars/all.yml
{
    echo 'tls:'
    inline cert_pass 'staging-cert-pw' staging@passwords/staging.pass '  '
    echo 'api_keys:'
    printf '%s' 'key-one-xyz' | "$vault" encrypt_string --vault-id staging@passwords/staging.pass 2>/dev/null | sed 's/^/  - /; 2,$s/^  - /    /'
} > inventory/host_vars/mta1.yml

# Every plaintext above that is a string: no output of the tests may show one.
printf '%s\n' s3cret-relay-pw sasl-user sasl-pw-91 staging-cert-pw key-one-xyz relay-user-7 tok-4f2a9c sel-2026 one-secret two-secret > plaintexts.txt

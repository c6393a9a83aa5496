"""postfleet_bench: what `scripts/bench` runs (postfleet against OpenSSH, pyinfra and
Ansible on the lab). `scripts/bench help` and `scripts/bench rollout --help` say what it
measures; bench/README.md says how the package is laid out."""

import Inventory
/// Playbooks (filled in by the playbook work).
public enum PlaybookPlaceholder {}

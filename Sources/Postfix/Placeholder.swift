/// The Postfix domain (filled in by the playbook work).
public enum PostfixPlaceholder {}

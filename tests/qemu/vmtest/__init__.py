"""Modules of the boot-test runner tests/qemu/run."""

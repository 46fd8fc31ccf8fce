"""Backups of the whole instance and transfer of one proposal between instances."""

"""Files in a storage, through the Storage API only: folders and buckets alike."""

from __future__ import annotations

from django.core.files.storage import Storage


def files_in(storage: Storage, folder: str = "") -> list[str]:
    """Every file's name in a storage (or under one folder of it), sorted."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder storage that never saved a file
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += files_in(storage, f"{folder}{sub}/")
    return sorted(names)


def empty(storage: Storage) -> None:
    """Delete every file of a storage."""
    for name in files_in(storage):
        storage.delete(name)

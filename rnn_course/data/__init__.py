"""Course datasets: the registry, verified lookup and download, and loaders.

Files are looked up in the course data directory (``$RNN_COURSE_DATA``), then in the data mirror
(``$RNN_COURSE_MIRROR``), then downloaded from their canonical URL; every file is checked against
its registered sha256. See :mod:`rnn_course.data.store`.
"""

from .registry import (
    DATASETS,
    ChecksumError,
    DataError,
    DataFile,
    Dataset,
    DatasetNotAvailableError,
    DownloadError,
    UnknownDatasetError,
    get_dataset,
)
from .store import clear_cache, data_dir, fetch, fetch_file, mirror_dir
from .text import TINY_SHAKESPEARE_SPLITS, load_tiny_shakespeare, random_windows

__all__ = [
    "DATASETS",
    "TINY_SHAKESPEARE_SPLITS",
    "ChecksumError",
    "DataError",
    "DataFile",
    "Dataset",
    "DatasetNotAvailableError",
    "DownloadError",
    "UnknownDatasetError",
    "clear_cache",
    "data_dir",
    "fetch",
    "fetch_file",
    "get_dataset",
    "load_tiny_shakespeare",
    "mirror_dir",
    "random_windows",
]

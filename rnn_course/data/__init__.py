"""Course datasets: the registry, verified lookup and download, and loaders.

Files are looked up in the course data directory (``$RNN_COURSE_DATA``), then in the data mirror
(``$RNN_COURSE_MIRROR``), then unpacked from the dataset's published upstream archive or downloaded
from their canonical URL; every file is checked against its registered sha256. See
:mod:`rnn_course.data.store`.

Loaders, one module a family: :mod:`~.text` (tiny Shakespeare), :mod:`~.sentiment` (IMDb,
rt-polarity, SST-2), :mod:`~.tagging` (CoNLL-2003, WNUT 2017), :mod:`~.translation` (spa-eng),
:mod:`~.speech` (Free Spoken Digit).
"""

from .registry import (
    DATASETS,
    Archive,
    ChecksumError,
    DataError,
    DataFile,
    Dataset,
    DatasetNotAvailableError,
    DownloadError,
    UnknownDatasetError,
    get_dataset,
)
from .sentiment import (
    RT_POLARITY_SPLIT_SEED,
    RT_POLARITY_SPLITS,
    load_imdb,
    load_rt_polarity,
    load_sst2,
)
from .speech import FSDD_SAMPLE_RATE, FSDD_SPEAKERS, load_free_spoken_digit
from .store import clear_cache, data_dir, fetch, fetch_file, mirror_dir
from .tagging import CONLL2003_COLUMNS, load_conll2003, load_wnut17
from .text import TINY_SHAKESPEARE_SPLITS, load_tiny_shakespeare, random_windows
from .translation import load_spa_eng

__all__ = [
    "CONLL2003_COLUMNS",
    "DATASETS",
    "FSDD_SAMPLE_RATE",
    "FSDD_SPEAKERS",
    "RT_POLARITY_SPLITS",
    "RT_POLARITY_SPLIT_SEED",
    "TINY_SHAKESPEARE_SPLITS",
    "Archive",
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
    "load_conll2003",
    "load_free_spoken_digit",
    "load_imdb",
    "load_rt_polarity",
    "load_spa_eng",
    "load_sst2",
    "load_tiny_shakespeare",
    "load_wnut17",
    "mirror_dir",
    "random_windows",
]

"""Datasets for pipelines: views of a dataset's rows that a pipeline streams through in batches.

`pipe(KeyDataset(rows, "text"), batch_size=8)` runs the pipeline over `rows[i]["text"]` for
every row and returns a lazy iterator of results, as transformers.pipelines.pt_utils does.
"""


class KeyDataset:
    """The column `key` of `dataset` (anything with len() and [i] giving dicts), row by row."""

    def __init__(self, dataset, key):
        self.dataset = dataset
        self.key = key

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        return self.dataset[i][self.key]


class KeyPairDataset:
    """Two columns of `dataset` as text pairs: {"text": row[key1], "text_pair": row[key2]}."""

    def __init__(self, dataset, key1, key2):
        self.dataset = dataset
        self.key1 = key1
        self.key2 = key2

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        return {"text": self.dataset[i][self.key1], "text_pair": self.dataset[i][self.key2]}

"""Pipelines: a model, its tokenizer and the pre- and post-processing of a task behind one call.

`pipeline(task, model=...)` builds one; `Pipeline` is the base every task subclasses and that
scripts can subclass too (`_sanitize_parameters`, `preprocess`, `_forward`, `postprocess`);
`PIPELINE_REGISTRY.register_pipeline` adds a task. The behaviour follows transformers'
pipelines: the same inputs (one item, a list, a generator), the same result shapes.
"""
import sys

import torch


class PipelineException(Exception):
    """An error inside a pipeline, naming the task and the model."""

    def __init__(self, task, model, reason):
        super().__init__(reason)
        self.task = task
        self.model = model


def _transformers():
    # Imported when first needed: the transformers module itself exposes this one.
    import transformers
    return transformers


def _is_generator(value):
    return type(value).__name__ == "generator"


def _set_given(params, **values):
    """Copies into `params` the keyword values that were given (not None)."""
    for key, value in values.items():
        if value is not None:
            params[key] = value


def _is_message(value):
    return isinstance(value, dict) and "role" in value and "content" in value


class Chat:
    """A conversation given to a pipeline: a list of {"role", "content"} messages."""

    def __init__(self, messages):
        for message in messages:
            if not _is_message(message):
                raise ValueError("When passing chat dicts as input, each dict must have a 'role' and 'content' key.")
        self.messages = messages


def _is_dataset(value):
    """Whether `value` is a dataset to stream: an object read by position, with a length (such as
    KeyDataset), which transformers takes as a torch Dataset. Strings, lists, tuples, dicts,
    tensors and chats are single inputs or lists, not datasets."""
    if value is None or isinstance(value, (str, list, tuple, dict, Chat, torch.Tensor)):
        return False
    return hasattr(value, "__len__") and hasattr(value, "__getitem__")


def _rows(dataset):
    # Datasets are read by index, as a DataLoader reads a map-style dataset.
    for index in range(len(dataset)):
        yield dataset[index]


def _reform_generator(first, remaining):
    # Puts back the item read from a generator to see what kind of inputs it yields.
    yield first
    yield from remaining


def _chats_in_stream(inputs):
    """A generator of inputs with its chats (lists of messages) made `Chat`s; the first item is
    read now to tell the kinds apart, the rest stays lazy."""
    try:
        first = next(inputs)
    except StopIteration:
        return []
    if _is_message(first):
        return Chat([first, *inputs])
    if isinstance(first, (list, tuple)) and len(first) > 0 and _is_message(first[0]):
        return (Chat(chat) for chat in _reform_generator(first, inputs))
    return _reform_generator(first, inputs)


def _check_batch_size(batch_size):
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
        raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")


def _groups(items, size):
    """Consecutive lists of `size` items (the last may be shorter), reading no further ahead."""
    group = []
    for item in items:
        group.append(item)
        if len(group) == size:
            yield group
            group = []
    if len(group) > 0:
        yield group


def _pad(items, key, padding_value, padding_side):
    """The values of `key` in `items` as one batch: tensors [1, length, ...] padded to the longest
    on `padding_side` and stacked; 1-d tensors and equal lengths concatenated; anything else as
    a list of the items' values."""
    first = items[0][key]
    if not isinstance(first, torch.Tensor):
        return [item[key] for item in items]
    if first.ndim == 1 or key in ("pixel_values", "image") or (first.ndim == 4 and key == "input_features"):
        return torch.cat([item[key] for item in items], dim=0)
    lengths = [item[key].shape[1] for item in items]
    longest = max(lengths)
    if first.ndim == 2 and longest == min(lengths):
        return torch.cat([item[key] for item in items], dim=0)
    batch = torch.full([len(items), longest] + list(first.shape[2:]), fill_value=padding_value, dtype=first.dtype)
    for i, item in enumerate(items):
        row = item[key][0]
        if padding_side == "left":
            batch[i, -len(row):] = row
        else:
            batch[i, :len(row)] = row
    return batch


def pad_collate_fn(tokenizer, feature_extractor=None):
    """The function that makes one batch of several preprocessed items: `input_ids` padded with
    the tokenizer's pad token, `p_mask` and `special_tokens_mask` with 1, other tensors (attention
    masks, token types) with 0, on the tokenizer's padding side."""
    if tokenizer is None:
        raise ValueError("Pipeline without tokenizer or feature_extractor cannot do batching")
    if tokenizer.pad_token_id is None:
        raise ValueError(
            "Pipeline with tokenizer without pad_token cannot do batching. You can try to set it with "
            "`pipe.tokenizer.pad_token_id = model.config.eos_token_id`.")
    pad_token_id = tokenizer.pad_token_id
    padding_side = tokenizer.padding_side

    def collate(items):
        keys = list(items[0].keys())
        for item in items:
            if set(item.keys()) != set(keys):
                raise ValueError(
                    f"The elements of the batch contain different keys. Cannot batch them ({set(item.keys())} !="
                    f" {set(keys)})")
        padded = {}
        for key in keys:
            if key == "input_ids":
                value = pad_token_id
            elif key in ("p_mask", "special_tokens_mask"):
                value = 1
            else:
                value = 0
            padded[key] = _pad(items, key, value, padding_side)
        return padded
    return collate


def _is_model_output(value):
    return isinstance(value, _transformers().ModelOutput)


def _observed_batch_size(outputs):
    # The batch's size as its first field tells it: the last batch may be short.
    if isinstance(outputs, torch.Tensor):
        first = outputs
    elif isinstance(outputs, tuple):
        first = outputs[0]
    else:
        first = outputs[list(outputs.keys())[0]]
    if isinstance(first, list):
        return len(first)
    return first.shape[0]


def _batch_item(data, index):
    """Item `index` of a batched model output, shaped as if it had run alone: tensors keep a
    leading dimension of 1, lists give their element, the cache is dropped."""
    if isinstance(data, torch.Tensor):
        return data[index].unsqueeze(0)
    fields = {}
    for key, element in data.items():
        if _is_model_output(element):
            element = element.to_tuple()
            if isinstance(element[0], torch.Tensor):
                fields[key] = tuple(part[index].unsqueeze(0) for part in element)
            continue
        if key in ("hidden_states", "attentions") and isinstance(element, tuple):
            if isinstance(element[0], torch.Tensor):
                fields[key] = tuple(part[index].unsqueeze(0) for part in element)
            continue
        if key in ("cache", "past_key_values"):
            continue
        if element is None:
            fields[key] = None
        elif isinstance(element[index], torch.Tensor):
            fields[key] = element[index].unsqueeze(0)
        else:
            fields[key] = element[index]
    if _is_model_output(data):
        return _transformers()._model_output_like(data, fields)
    if isinstance(data, dict) and type(data) is not dict:
        return type(data)(fields)
    return fields


def _unbatch(outputs, batch_size):
    """The per-item outputs of one batched `_forward` output."""
    observed = _observed_batch_size(outputs)
    count = observed if 0 < observed < batch_size else batch_size
    data = outputs[0] if isinstance(outputs, tuple) else outputs
    for index in range(count):
        yield _batch_item(data, index)


def _packs(outputs):
    """Groups chunk outputs back by input item: a pack ends at the output whose `is_last` is true
    (the flag is removed, as postprocess never sees it)."""
    pack = []
    for output in outputs:
        if not isinstance(output, dict) or "is_last" not in output:
            raise KeyError("is_last: a ChunkPipeline's _forward must return a dict that carries the 'is_last' flag "
                           "of the chunk preprocess yielded")
        is_last = output.pop("is_last")
        pack.append(output)
        if is_last:
            yield pack
            pack = []


# Generation parameters a pipeline's defaults only fill when sampling (generate warns about them otherwise).
_SAMPLING_PARAMS = {"temperature", "top_k", "top_p", "min_p", "top_h", "typical_p", "epsilon_cutoff", "eta_cutoff"}


def _copied_generation_config(config):
    # A separate GenerationConfig with the same options, for the pipeline to add to.
    copy = _transformers().GenerationConfig()
    copy.update(**{key: value for key, value in config.to_diff_dict().items() if key != "transformers_version"})
    return copy


class Pipeline:
    """The base of every pipeline: calling it runs preprocess -> _forward -> postprocess on each
    input. Subclasses define those three and `_sanitize_parameters(**kwargs)`, which splits the
    call's keyword arguments into (preprocess, forward, postprocess) parameter dicts.

    A list of inputs gives a list of results; a generator or a dataset (KeyDataset) gives a lazy
    iterator of results. With `batch_size=N` (at construction or per call) N preprocessed items
    are padded into one batch for a single `_forward`, whose output is split back per item before
    postprocess, so the results are those of one item at a time.

    A pipeline that calls `generate` (`_pipeline_calls_generate`) sets the generation parameters
    given at construction aside: they apply to every call (see `_prepare_generate_kwargs`), and
    its `_default_generation_config` fills what neither the user nor the model sets."""

    # Pipelines that call `generate` share how its parameters are prepared.
    _pipeline_calls_generate = False
    # Defaults for the generation parameters that neither the user nor the model's generation config set.
    _default_generation_config = None
    # Parameters named like generation ones that are not (handled like the other pipeline parameters).
    _non_generation_params = ()

    def __init__(self, model, tokenizer=None, task="", batch_size=None, device=None, num_workers=None, **kwargs):
        self.model = model
        self.tokenizer = tokenizer
        self.task = task
        self._batch_size = batch_size
        self._num_workers = num_workers
        self.device = device
        if self._pipeline_calls_generate and hasattr(model, "generate"):
            self.prefix = getattr(model.config, "prefix", None)
            generation_keys = set(_transformers().GenerationConfig().to_dict().keys())
            generation_keys.difference_update(self._non_generation_params)
            generation_keys.add("generation_config")
            self._generate_kwargs = {key: kwargs.pop(key) for key in [key for key in kwargs if key in generation_keys]}
            defaults = self._default_generation_config
            self._generation_defaults = {} if defaults is None else defaults.to_diff_dict()
            self._generation_defaults.pop("transformers_version", None)
            if self.tokenizer is not None and self.tokenizer.pad_token_id is not None:
                self._generation_defaults["pad_token_id"] = self.tokenizer.pad_token_id
        self.call_count = 0
        self._preprocess_params, self._forward_params, self._postprocess_params = self._sanitize_parameters(**kwargs)

    def _sanitize_parameters(self, **kwargs):
        raise NotImplementedError("_sanitize_parameters not implemented")

    def preprocess(self, inputs, **preprocess_parameters):
        raise NotImplementedError("preprocess not implemented")

    def _forward(self, model_inputs, **forward_parameters):
        raise NotImplementedError("_forward not implemented")

    def postprocess(self, model_outputs, **postprocess_parameters):
        raise NotImplementedError("postprocess not implemented")

    def forward(self, model_inputs, **forward_params):
        with torch.no_grad():
            return self._forward(model_inputs, **forward_params)

    def run_single(self, inputs, preprocess_params, forward_params, postprocess_params):
        model_inputs = self.preprocess(inputs, **preprocess_params)
        model_outputs = self.forward(model_inputs, **forward_params)
        return self.postprocess(model_outputs, **postprocess_params)

    def _collate_fn(self, batch_size):
        _check_batch_size(batch_size)
        if batch_size == 1:
            return None
        return pad_collate_fn(self.tokenizer, getattr(self, "feature_extractor", None))

    def _model_outputs(self, model_inputs, batch_size, collate, forward_params):
        """`forward` over a stream of model inputs, one at a time or `batch_size` at a time."""
        if collate is None:
            for one in model_inputs:
                yield self.forward(one, **forward_params)
            return
        for group in _groups(model_inputs, batch_size):
            yield from _unbatch(self.forward(collate(group), **forward_params), batch_size)

    def _postprocessed(self, model_outputs, postprocess_params):
        for model_output in model_outputs:
            yield self.postprocess(model_output, **postprocess_params)

    def get_iterator(self, inputs, num_workers, batch_size, preprocess_params, forward_params, postprocess_params):
        """The lazy stream of results for `inputs` (a list, a dataset or a generator)."""
        collate = self._collate_fn(batch_size)
        items = _rows(inputs) if _is_dataset(inputs) else inputs
        model_inputs = (self.preprocess(item, **preprocess_params) for item in items)
        model_outputs = self._model_outputs(model_inputs, batch_size, collate, forward_params)
        return self._postprocessed(model_outputs, postprocess_params)

    def __call__(self, inputs, *args, num_workers=None, batch_size=None, **kwargs):
        if _is_generator(inputs):
            inputs = _chats_in_stream(inputs)
        elif (isinstance(inputs, (list, tuple)) or _is_dataset(inputs)) and len(inputs) > 0:
            if _is_message(inputs[0]):
                inputs = Chat(inputs)
            elif isinstance(inputs[0], (list, tuple)) and all(len(c) > 0 and _is_message(c[0]) for c in inputs):
                inputs = [Chat(c) for c in inputs]
        if num_workers is None:
            num_workers = 0 if self._num_workers is None else self._num_workers
        if batch_size is None:
            batch_size = 1 if self._batch_size is None else self._batch_size
        preprocess_params, forward_params, postprocess_params = self._merged_parameters(kwargs)
        self.call_count += 1
        if isinstance(inputs, list):
            return list(self.get_iterator(inputs, num_workers, batch_size, preprocess_params, forward_params,
                                          postprocess_params))
        if _is_generator(inputs) or _is_dataset(inputs):
            return self.get_iterator(inputs, num_workers, batch_size, preprocess_params, forward_params,
                                     postprocess_params)
        if isinstance(self, ChunkPipeline):
            # One item still goes through the stream: its chunks are batched too.
            return next(self.get_iterator([inputs], num_workers, batch_size, preprocess_params, forward_params,
                                          postprocess_params))
        return self.run_single(inputs, preprocess_params, forward_params, postprocess_params)

    def _prepare_generate_kwargs(self, generate_kwargs, **overrides):
        """The `generate()` kwargs of a call: the call's generation parameters, on top of those
        given at construction unless the call passes a `generation_config` (which replaces
        them); then `overrides`, and the pipeline's defaults for the parameters that neither the
        user nor the model's generation config set (the sampling ones only when sampling; a
        default `max_new_tokens` not when `max_length` is set). What the pipeline adds goes into a
        copy of the user's `generation_config` when there is one."""
        if "generation_config" not in generate_kwargs:
            generate_kwargs = {**self._generate_kwargs, **generate_kwargs}
        set_params = self._get_set_generation_params(generate_kwargs)
        added_params = {key: value for key, value in self._generation_defaults.items()
                        if key not in set_params and not (key == "max_new_tokens" and "max_length" in set_params)}
        if not {**set_params, **added_params}.get("do_sample"):
            added_params = {key: value for key, value in added_params.items() if key not in _SAMPLING_PARAMS}
        added_params.update(overrides)
        user_config = generate_kwargs.get("generation_config")
        if user_config is None:
            return {**generate_kwargs, **added_params}
        user_config = _copied_generation_config(user_config)
        user_config.update(**added_params)
        return {**generate_kwargs, "generation_config": user_config}

    def _get_set_generation_params(self, generate_kwargs):
        """The generation parameters a `generate()` call with `generate_kwargs` does not take from
        the global defaults: the kwargs, over their `generation_config` if any, over the model's."""
        params = self.model.generation_config.to_diff_dict()
        generation_config = generate_kwargs.get("generation_config")
        if generation_config is not None:
            params.update(generation_config.to_diff_dict())
        return {**params, **generate_kwargs}

    def _merged_parameters(self, kwargs):
        preprocess_params, forward_params, postprocess_params = self._sanitize_parameters(**kwargs)
        merged_pre = dict(self._preprocess_params)
        merged_pre.update(preprocess_params)
        merged_forward = dict(self._forward_params)
        merged_forward.update(forward_params)
        merged_post = dict(self._postprocess_params)
        merged_post.update(postprocess_params)
        return merged_pre, merged_forward, merged_post

    def __repr__(self):
        return f"<{type(self).__name__} task={self.task!r} model={self.model.config.name_or_path!r}>"


class ChunkPipeline(Pipeline):
    """A pipeline whose `preprocess` yields several model inputs for one item (question-answering
    windows, zero-shot hypotheses): each is run through `forward` (batched across chunks and
    items with `batch_size`), and `postprocess` receives the list of all their outputs. Each
    chunk carries an `is_last` flag that `_forward` passes on, marking the item's last chunk."""

    def run_single(self, inputs, preprocess_params, forward_params, postprocess_params):
        outputs = []
        for model_inputs in self.preprocess(inputs, **preprocess_params):
            outputs.append(self.forward(model_inputs, **forward_params))
        return self.postprocess(outputs, **postprocess_params)

    def _chunks(self, items, preprocess_params):
        for item in items:
            yield from self.preprocess(item, **preprocess_params)

    def get_iterator(self, inputs, num_workers, batch_size, preprocess_params, forward_params, postprocess_params):
        collate = self._collate_fn(batch_size)
        items = _rows(inputs) if _is_dataset(inputs) else inputs
        chunks = self._chunks(items, preprocess_params)
        model_outputs = self._model_outputs(chunks, batch_size, collate, forward_params)
        return self._postprocessed(_packs(model_outputs), postprocess_params)


class FeatureExtractionPipeline(Pipeline):
    """The last hidden state of each token, as nested lists [1][tokens][hidden] (or a tensor
    with return_tensors=True)."""

    def _sanitize_parameters(self, truncation=None, tokenize_kwargs=None, return_tensors=None, **kwargs):
        tokenize_kwargs = dict(tokenize_kwargs) if tokenize_kwargs is not None else {}
        if truncation is not None:
            if "truncation" in tokenize_kwargs:
                raise ValueError("truncation parameter defined twice (given as keyword argument as well as in tokenize_kwargs)")
            tokenize_kwargs["truncation"] = truncation
        postprocess_params = {}
        if return_tensors is not None:
            postprocess_params["return_tensors"] = return_tensors
        return tokenize_kwargs, {}, postprocess_params

    def preprocess(self, inputs, **tokenize_kwargs):
        return self.tokenizer(inputs, return_tensors="pt", **tokenize_kwargs)

    def _forward(self, model_inputs):
        return self.model(**model_inputs)

    def postprocess(self, model_outputs, return_tensors=False):
        if return_tensors:
            return model_outputs[0]
        return model_outputs[0].tolist()


class TextClassificationPipeline(Pipeline):
    """Label and score of a text (or text pair) from a sequence classifier. `top_k` returns the
    best k labels (None: all), `function_to_apply` is "softmax", "sigmoid" or "none"."""

    def _sanitize_parameters(self, function_to_apply=None, top_k="", **tokenizer_kwargs):
        postprocess_params = {}
        if isinstance(top_k, int) or top_k is None:
            postprocess_params["top_k"] = top_k
            postprocess_params["_legacy"] = False
        if isinstance(function_to_apply, str):
            if function_to_apply.lower() not in ("sigmoid", "softmax", "none"):
                raise KeyError(function_to_apply.upper())
            function_to_apply = function_to_apply.lower()
        if function_to_apply is not None:
            postprocess_params["function_to_apply"] = function_to_apply
        return tokenizer_kwargs, {}, postprocess_params

    def __call__(self, inputs, **kwargs):
        result = super().__call__(inputs, **kwargs)
        if isinstance(inputs, str) and "top_k" not in kwargs:
            return [result]
        return result

    def preprocess(self, inputs, **tokenizer_kwargs):
        if isinstance(inputs, dict):
            return self.tokenizer(**inputs, return_tensors="pt", **tokenizer_kwargs)
        if isinstance(inputs, list) and len(inputs) == 1 and isinstance(inputs[0], list) and len(inputs[0]) == 2:
            return self.tokenizer(text=inputs[0][0], text_pair=inputs[0][1], return_tensors="pt", **tokenizer_kwargs)
        if isinstance(inputs, list):
            raise ValueError(
                "The pipeline received invalid inputs, if you are trying to send text pairs, you can try to send a"
                ' dictionary `{"text": "My text", "text_pair": "My pair"}` in order to send a text pair.')
        return self.tokenizer(inputs, return_tensors="pt", **tokenizer_kwargs)

    def _forward(self, model_inputs):
        return self.model(**model_inputs)

    def postprocess(self, model_outputs, function_to_apply=None, top_k=1, _legacy=True):
        config = self.model.config
        problem = getattr(config, "problem_type", None)
        if function_to_apply is None:
            if problem == "regression":
                function_to_apply = "none"
            elif problem == "multi_label_classification" or config.num_labels == 1:
                function_to_apply = "sigmoid"
            elif problem == "single_label_classification" or config.num_labels > 1:
                function_to_apply = "softmax"
            else:
                function_to_apply = "none"
        logits = model_outputs["logits"][0].float()
        if function_to_apply == "sigmoid":
            scores = torch.sigmoid(logits)
        elif function_to_apply == "softmax":
            scores = torch.softmax(logits, dim=-1)
        else:
            scores = logits
        values = scores.tolist()
        if top_k == 1 and _legacy:
            best = 0
            for i in range(len(values)):
                if values[i] > values[best]:
                    best = i
            return {"label": config.id2label[best], "score": values[best]}
        result = [{"label": config.id2label[i], "score": s} for i, s in enumerate(values)]
        if not _legacy:
            result.sort(key=lambda x: x["score"], reverse=True)
            if top_k is not None:
                result = result[:top_k]
        return result


class FillMaskPipeline(Pipeline):
    """The most likely tokens for each mask token: score, token id, token text and the filled-in
    sequence. `top_k` (default 5), `targets` restricts the candidates."""

    def _sanitize_parameters(self, top_k=None, targets=None, tokenizer_kwargs=None):
        preprocess_params = {}
        if tokenizer_kwargs is not None:
            preprocess_params["tokenizer_kwargs"] = tokenizer_kwargs
        postprocess_params = {}
        if targets is not None:
            postprocess_params["target_ids"] = self.get_target_ids(targets)
        if top_k is not None:
            postprocess_params["top_k"] = top_k
        if self.tokenizer.mask_token_id is None:
            raise PipelineException("fill-mask", self.model.config.model_type, "The tokenizer does not define a `mask_token`.")
        return preprocess_params, {}, postprocess_params

    def get_target_ids(self, targets):
        if isinstance(targets, str):
            targets = [targets]
        vocab = self.tokenizer.get_vocab()
        ids = []
        for target in targets:
            found = vocab.get(target)
            if found is None:
                encoded = self.tokenizer(target, add_special_tokens=False, return_attention_mask=False,
                                         return_token_type_ids=False, max_length=1, truncation=True)["input_ids"]
                if len(encoded) == 0:
                    continue
                found = encoded[0]
            ids.append(found)
        ids = sorted(set(ids))
        if len(ids) == 0:
            raise ValueError("At least one target must be provided when passed.")
        return ids

    def preprocess(self, inputs, return_tensors=None, tokenizer_kwargs=None, **preprocess_parameters):
        model_inputs = self.tokenizer(inputs, return_tensors="pt", **(tokenizer_kwargs or {}))
        for row in model_inputs["input_ids"].tolist():
            if self.tokenizer.mask_token_id not in row:
                raise PipelineException("fill-mask", self.model.config.model_type,
                                        f"No mask_token ({self.tokenizer.mask_token}) found on the input")
        return model_inputs

    def _forward(self, model_inputs):
        outputs = self.model(**model_inputs)
        return {"logits": outputs["logits"], "input_ids": model_inputs["input_ids"]}

    def postprocess(self, model_outputs, top_k=5, target_ids=None):
        if target_ids is not None and len(target_ids) < top_k:
            top_k = len(target_ids)
        input_ids = model_outputs["input_ids"][0].tolist()
        mask_id = self.tokenizer.mask_token_id
        positions = [i for i, t in enumerate(input_ids) if t == mask_id]
        single_mask = len(positions) == 1
        result = []
        for position in positions:
            probabilities = model_outputs["logits"][0, position].softmax(dim=-1)
            if target_ids is not None:
                probabilities = probabilities[torch.tensor(target_ids)]
            values, predictions = probabilities.topk(top_k)
            row = []
            for value, prediction in zip(values.tolist(), predictions.tolist()):
                token = target_ids[prediction] if target_ids is not None else prediction
                tokens = list(input_ids)
                tokens[position] = token
                tokens = [t for t in tokens if t != self.tokenizer.pad_token_id]
                row.append({"score": value, "token": token, "token_str": self.tokenizer.decode([token]),
                            "sequence": self.tokenizer.decode(tokens, skip_special_tokens=single_mask)})
            result.append(row)
        return result[0] if single_mask else result


class AggregationStrategy:
    """The ways the token-classification pipeline fuses tokens into entities: "none" (one result
    per token), "simple" (adjacent tokens of one entity grouped), and the word-level "first",
    "average" and "max", which make every piece of a word carry one label."""

    NONE = "none"
    SIMPLE = "simple"
    FIRST = "first"
    AVERAGE = "average"
    MAX = "max"

    _names = ("NONE", "SIMPLE", "FIRST", "AVERAGE", "MAX")

    @staticmethod
    def named(value):
        """The strategy a (case-insensitive) name stands for; a KeyError for an unknown one."""
        name = value.upper()
        if name not in AggregationStrategy._names:
            raise KeyError(name)
        return name.lower()


def _argmax(values):
    # The first index of the largest value, as numpy's argmax picks among ties.
    best = 0
    for i in range(1, len(values)):
        if values[i] > values[best]:
            best = i
    return best


def _mean(values):
    return sum(values) / len(values)


class TokenClassificationPipeline(ChunkPipeline):
    """Named entities (or any per-token labels) from a token classifier. Each result holds the
    label ("entity", or "entity_group" once grouped), its probability "score", the "word" and its
    "start"/"end" characters (and the token "index" without aggregation). `aggregation_strategy`
    is "none", "simple", "first", "average" or "max"; `ignore_labels` (default ["O"]) drops
    labels; `stride` runs texts longer than the model takes in overlapping chunks."""

    def _sanitize_parameters(self, ignore_labels=None, aggregation_strategy=None, offset_mapping=None,
                             is_split_into_words=False, stride=None, delimiter=None):
        preprocess_params = {"is_split_into_words": is_split_into_words}
        if is_split_into_words:
            preprocess_params["delimiter"] = " " if delimiter is None else delimiter
        if offset_mapping is not None:
            preprocess_params["offset_mapping"] = offset_mapping
        postprocess_params = {}
        if aggregation_strategy is not None:
            if isinstance(aggregation_strategy, str):
                aggregation_strategy = AggregationStrategy.named(aggregation_strategy)
            postprocess_params["aggregation_strategy"] = aggregation_strategy
        if ignore_labels is not None:
            postprocess_params["ignore_labels"] = ignore_labels
        if stride is not None:
            if stride >= self.tokenizer.model_max_length:
                raise ValueError("`stride` must be less than `tokenizer.model_max_length` (or even lower if the tokenizer "
                                 "adds special tokens)")
            if aggregation_strategy == AggregationStrategy.NONE:
                raise ValueError("`stride` was provided to process all the text but `aggregation_strategy="
                                 f'"AggregationStrategy.{aggregation_strategy.upper()}"`, please select another one instead.')
            preprocess_params["tokenizer_params"] = {"return_overflowing_tokens": True, "padding": True, "stride": stride}
        return preprocess_params, {}, postprocess_params

    def __call__(self, inputs, **kwargs):
        is_split_into_words = kwargs.get("is_split_into_words", False)
        offset_mapping = kwargs.get("offset_mapping")
        if inputs is not None and isinstance(inputs, (list, tuple)) and len(inputs) > 0:
            inputs = list(inputs)
            batch_size = len(inputs)
        elif isinstance(inputs, str):
            batch_size = 1
        elif _is_generator(inputs):
            return super().__call__(inputs, **kwargs)
        else:
            raise ValueError("At least one input is required.")
        if offset_mapping:
            if isinstance(offset_mapping, list) and isinstance(offset_mapping[0], tuple):
                offset_mapping = [offset_mapping]
            if len(offset_mapping) != batch_size:
                raise ValueError("offset_mapping should have the same batch size as the input")
            kwargs["offset_mapping"] = offset_mapping
        if is_split_into_words and not all(isinstance(item, list) for item in inputs):
            # One pre-split text: a list of words.
            return super().__call__([inputs], **kwargs)
        return super().__call__(inputs, **kwargs)

    def preprocess(self, sentence, offset_mapping=None, is_split_into_words=False, delimiter=None,
                   tokenizer_params=None):
        tokenizer_params = dict(tokenizer_params or {})
        truncation = self.tokenizer.model_max_length is not None and self.tokenizer.model_max_length > 0
        word_to_chars_map = None
        if is_split_into_words:
            if not isinstance(sentence, list):
                raise ValueError("When `is_split_into_words=True`, `sentence` must be a list of tokens.")
            words = sentence
            sentence = delimiter.join(words)
            # Where each word sits in the joined sentence, to turn word offsets into sentence ones.
            word_to_chars_map = []
            position = 0
            for word in words:
                word_to_chars_map.append((position, position + len(word)))
                position += len(word) + len(delimiter)
            text = words
            tokenizer_params["is_split_into_words"] = True
        else:
            if not isinstance(sentence, str):
                raise ValueError("When `is_split_into_words=False`, `sentence` must be an untokenized string.")
            text = sentence
        inputs = self.tokenizer(text, return_tensors="pt", truncation=truncation, return_special_tokens_mask=True,
                                return_offsets_mapping=True, **tokenizer_params)
        keys = [k for k in inputs.keys() if k != "overflow_to_sample_mapping"]
        chunks = len(inputs["input_ids"])
        for i in range(chunks):
            model_inputs = {k: inputs[k][i].unsqueeze(0) for k in keys}
            if offset_mapping is not None:
                model_inputs["offset_mapping"] = offset_mapping
            model_inputs["sentence"] = sentence if i == 0 else None
            model_inputs["is_last"] = i == chunks - 1
            if word_to_chars_map is not None:
                model_inputs["word_ids"] = inputs.word_ids(i)
                model_inputs["word_to_chars_map"] = word_to_chars_map
            yield model_inputs

    _extra_inputs = ("special_tokens_mask", "offset_mapping", "sentence", "is_last", "word_ids", "word_to_chars_map")

    def _forward(self, model_inputs):
        tensors = {k: v for k, v in model_inputs.items() if k not in self._extra_inputs}
        outputs = {k: model_inputs.get(k) for k in self._extra_inputs}
        outputs["logits"] = self.model(**tensors)["logits"]
        outputs.update(tensors)
        return outputs

    def postprocess(self, all_outputs, aggregation_strategy="none", ignore_labels=None):
        if ignore_labels is None:
            ignore_labels = ["O"]
        entities = []
        word_to_chars_map = all_outputs[0].get("word_to_chars_map")
        sentence = all_outputs[0]["sentence"]
        for outputs in all_outputs:
            scores = outputs["logits"][0].float().softmax(dim=-1).tolist()
            offset_mapping = outputs["offset_mapping"]
            if offset_mapping is not None:
                offset_mapping = offset_mapping[0]
                if not isinstance(offset_mapping, list):
                    offset_mapping = offset_mapping.tolist()
            pre_entities = self.gather_pre_entities(
                sentence, outputs["input_ids"][0].tolist(), scores, offset_mapping,
                outputs["special_tokens_mask"][0].tolist(), aggregation_strategy,
                word_ids=outputs.get("word_ids"), word_to_chars_map=word_to_chars_map)
            for entity in self.aggregate(pre_entities, aggregation_strategy):
                if entity.get("entity") not in ignore_labels and entity.get("entity_group") not in ignore_labels:
                    entities.append(entity)
        if len(all_outputs) > 1:
            entities = self.aggregate_overlapping_entities(entities)
        return entities

    def aggregate_overlapping_entities(self, entities):
        """Of entities from overlapping chunks that overlap, keeps the longest (then the surest)."""
        if len(entities) == 0:
            return entities
        entities = sorted(entities, key=lambda x: x["start"])
        kept = []
        previous = entities[0]
        for entity in entities:
            if previous["start"] <= entity["start"] < previous["end"]:
                length = entity["end"] - entity["start"]
                previous_length = previous["end"] - previous["start"]
                if length > previous_length or length == previous_length and entity["score"] > previous["score"]:
                    previous = entity
            else:
                kept.append(previous)
                previous = entity
        kept.append(previous)
        return kept

    def gather_pre_entities(self, sentence, input_ids, scores, offset_mapping, special_tokens_mask,
                            aggregation_strategy, word_ids=None, word_to_chars_map=None):
        """One dict per non-special token: its text, label probabilities, span, and whether it
        continues the word before it."""
        prefix = getattr(self.tokenizer, "_continuing_subword_prefix", None)
        unk_id = self.tokenizer.unk_token_id
        pre_entities = []
        for idx, token_scores in enumerate(scores):
            if special_tokens_mask[idx]:
                continue
            word = self.tokenizer.convert_ids_to_tokens(input_ids[idx])
            if offset_mapping is not None:
                start, end = offset_mapping[idx]
                if word_ids is not None and word_to_chars_map is not None:
                    word_index = word_ids[idx]
                    if word_index is not None:
                        start += word_to_chars_map[word_index][0]
                        end += word_to_chars_map[word_index][0]
                word_ref = sentence[start:end]
                if prefix:
                    # A word-piece tokenizer marks continuations, so a piece's text differs from its span.
                    is_subword = len(word) != len(word_ref)
                else:
                    # Without continuation marks: a piece glued to the character before it continues a word.
                    is_subword = start > 0 and " " not in sentence[start - 1:start + 1]
                if input_ids[idx] == unk_id:
                    word = word_ref
                    is_subword = False
            else:
                start = None
                end = None
                is_subword = False
            pre_entities.append({"word": word, "scores": token_scores, "start": start, "end": end, "index": idx,
                                 "is_subword": is_subword})
        return pre_entities

    def aggregate(self, pre_entities, aggregation_strategy):
        """Labels tokens (none, simple) or words (first, average, max), then groups them unless "none"."""
        id2label = self.model.config.id2label
        if aggregation_strategy in (AggregationStrategy.NONE, AggregationStrategy.SIMPLE):
            entities = []
            for pre_entity in pre_entities:
                best = _argmax(pre_entity["scores"])
                entities.append({"entity": id2label[best], "score": pre_entity["scores"][best],
                                 "index": pre_entity["index"], "word": pre_entity["word"],
                                 "start": pre_entity["start"], "end": pre_entity["end"]})
        else:
            entities = self.aggregate_words(pre_entities, aggregation_strategy)
        if aggregation_strategy == AggregationStrategy.NONE:
            return entities
        return self.group_entities(entities)

    def aggregate_word(self, entities, aggregation_strategy):
        """One labelled word from its pieces."""
        id2label = self.model.config.id2label
        word = self.tokenizer.convert_tokens_to_string([entity["word"] for entity in entities])
        if aggregation_strategy == AggregationStrategy.FIRST:
            scores = entities[0]["scores"]
        elif aggregation_strategy == AggregationStrategy.MAX:
            scores = max(entities, key=lambda entity: max(entity["scores"]))["scores"]
        elif aggregation_strategy == AggregationStrategy.AVERAGE:
            scores = [_mean([entity["scores"][j] for entity in entities]) for j in range(len(entities[0]["scores"]))]
        else:
            raise ValueError("Invalid aggregation_strategy")
        best = _argmax(scores)
        return {"entity": id2label[best], "score": scores[best], "word": word, "start": entities[0]["start"],
                "end": entities[-1]["end"]}

    def aggregate_words(self, entities, aggregation_strategy):
        """Makes the pieces of a word agree on one label."""
        if aggregation_strategy in (AggregationStrategy.NONE, AggregationStrategy.SIMPLE):
            raise ValueError("NONE and SIMPLE strategies are invalid for word aggregation")
        words = []
        group = None
        for entity in entities:
            if group is None:
                group = [entity]
            elif entity["is_subword"]:
                group.append(entity)
            else:
                words.append(self.aggregate_word(group, aggregation_strategy))
                group = [entity]
        if group is not None:
            words.append(self.aggregate_word(group, aggregation_strategy))
        return words

    def group_sub_entities(self, entities):
        """One entity group from adjacent entities of one type: their mean score, their joined text."""
        return {"entity_group": entities[0]["entity"].split("-", 1)[-1],
                "score": _mean([entity["score"] for entity in entities]),
                "word": self.tokenizer.convert_tokens_to_string([entity["word"] for entity in entities]),
                "start": entities[0]["start"], "end": entities[-1]["end"]}

    def get_tag(self, entity_name):
        """("B" or "I", type) of a label; a label without a prefix counts as a continuation."""
        if entity_name.startswith("B-"):
            return "B", entity_name[2:]
        if entity_name.startswith("I-"):
            return "I", entity_name[2:]
        return "I", entity_name

    def group_entities(self, entities):
        """Groups adjacent entities of one type; a B- label starts a new group."""
        groups = []
        current = []
        for entity in entities:
            if not current:
                current.append(entity)
                continue
            bi, tag = self.get_tag(entity["entity"])
            last_bi, last_tag = self.get_tag(current[-1]["entity"])
            if tag == last_tag and bi != "B":
                current.append(entity)
            else:
                groups.append(self.group_sub_entities(current))
                current = [entity]
        if current:
            groups.append(self.group_sub_entities(current))
        return groups


NerPipeline = TokenClassificationPipeline


class QuestionAnsweringArgumentHandler:
    """Turns the question-answering call's arguments (question=/context= strings or lists, a
    {"question", "context"} dict, a list of them, two strings) into a list of examples."""

    def normalize(self, item):
        if isinstance(item, dict):
            for key in ["question", "context"]:
                if key not in item:
                    raise KeyError("You need to provide a dictionary with keys {question:..., context:...}")
                if item[key] is None:
                    raise ValueError(f"`{key}` cannot be None")
                if isinstance(item[key], str) and len(item[key]) == 0:
                    raise ValueError(f"`{key}` cannot be empty")
            return {"question": item["question"], "context": item["context"]}
        raise ValueError(f"{item} argument needs to be of type (SquadExample, dict)")

    def __call__(self, *args, **kwargs):
        if len(args) > 0:
            if len(args) == 1:
                inputs = args[0]
            elif len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], str):
                inputs = [{"question": args[0], "context": args[1]}]
            else:
                inputs = list(args)
        elif "question" in kwargs and "context" in kwargs:
            question, context = kwargs["question"], kwargs["context"]
            if isinstance(question, list) and isinstance(context, str):
                inputs = [{"question": q, "context": context} for q in question]
            elif isinstance(question, list) and isinstance(context, list):
                if len(question) != len(context):
                    raise ValueError("Questions and contexts don't have the same lengths")
                inputs = [{"question": q, "context": c} for q, c in zip(question, context)]
            elif isinstance(question, str) and isinstance(context, str):
                inputs = [{"question": question, "context": context}]
            else:
                raise ValueError("Arguments can't be understood")
        else:
            raise ValueError(f"Unknown arguments {kwargs}")
        if _is_generator(inputs):
            return inputs
        if isinstance(inputs, dict):
            inputs = [inputs]
        elif isinstance(inputs, (list, tuple)):
            inputs = list(inputs)
        else:
            raise ValueError(f"Invalid arguments {kwargs}")
        return [self.normalize(item) for item in inputs]


class QuestionAnsweringPipeline(ChunkPipeline):
    """The span of a context that answers a question, from a model's start and end scores:
    {"score", "start", "end", "answer"} (a list of them when top_k > 1). A context longer than
    `max_seq_len` tokens is read in windows overlapping by `doc_stride` tokens; answers found in
    several windows add up their scores."""

    _args_parser = QuestionAnsweringArgumentHandler()

    def _sanitize_parameters(self, padding=None, top_k=None, doc_stride=None, max_answer_len=None, max_seq_len=None,
                             max_question_len=None, handle_impossible_answer=None, align_to_words=None, **kwargs):
        preprocess_params = {}
        _set_given(preprocess_params, padding=padding, doc_stride=doc_stride, max_question_len=max_question_len,
                   max_seq_len=max_seq_len)
        postprocess_params = {}
        if top_k is not None:
            if top_k < 1:
                raise ValueError(f"top_k parameter should be >= 1 (got {top_k})")
            postprocess_params["top_k"] = top_k
        if max_answer_len is not None:
            if max_answer_len < 1:
                raise ValueError(f"max_answer_len parameter should be >= 1 (got {max_answer_len})")
            postprocess_params["max_answer_len"] = max_answer_len
        _set_given(postprocess_params, handle_impossible_answer=handle_impossible_answer, align_to_words=align_to_words)
        return preprocess_params, {}, postprocess_params

    def __call__(self, *args, **kwargs):
        examples = self._args_parser(*args, **kwargs)
        if isinstance(examples, (list, tuple)) and len(examples) == 1:
            return super().__call__(examples[0], **kwargs)
        return super().__call__(examples, **kwargs)

    def preprocess(self, example, padding="do_not_pad", doc_stride=None, max_question_len=64, max_seq_len=None):
        if max_seq_len is None:
            max_seq_len = min(self.tokenizer.model_max_length, 384)
        if doc_stride is None:
            doc_stride = min(max_seq_len // 2, 128)
        if doc_stride > max_seq_len:
            raise ValueError(f"`doc_stride` ({doc_stride}) is larger than `max_seq_len` ({max_seq_len})")
        question_first = self.tokenizer.padding_side == "right"
        question, context = example["question"], example["context"]
        encoded = self.tokenizer(
            text=question if question_first else context, text_pair=context if question_first else question,
            padding=padding, truncation="only_second" if question_first else "only_first", max_length=max_seq_len,
            stride=doc_stride, return_token_type_ids=True, return_overflowing_tokens=True,
            return_offsets_mapping=True, return_special_tokens_mask=True)
        spans = len(encoded["input_ids"])
        cls_id = self.tokenizer.cls_token_id
        input_names = self.tokenizer.model_input_names
        for i in range(spans):
            input_ids = encoded["input_ids"][i]
            # 1 for tokens that cannot be in the answer: the question and special tokens, but
            # not the classifier token, which some models use to say there is no answer.
            if question_first:
                p_mask = [0 if sequence == 1 else 1 for sequence in encoded.sequence_ids(i)]
            else:
                p_mask = [0 for _ in input_ids]
            if cls_id is not None:
                for j in range(len(input_ids)):
                    if input_ids[j] == cls_id:
                        p_mask[j] = 0
            model_inputs = {}
            for name in input_names + ["token_type_ids"]:
                if name in encoded:
                    model_inputs[name] = torch.tensor(encoded[name][i]).unsqueeze(0)
            model_inputs["p_mask"] = torch.tensor(p_mask).unsqueeze(0)
            yield {"example": example, "is_last": i == spans - 1, **model_inputs, "encoding": encoded[i]}

    def _forward(self, inputs):
        model_inputs = {name: inputs[name] for name in self.tokenizer.model_input_names if name in inputs}
        output = self.model(**model_inputs)
        return {"start": output["start_logits"], "end": output["end_logits"], **inputs}

    def postprocess(self, model_outputs, top_k=1, handle_impossible_answer=False, max_answer_len=15,
                    align_to_words=True):
        min_null_score = 1000000
        answers = []
        question_first = self.tokenizer.padding_side == "right"
        sequence_index = 1 if question_first else 0
        for output in model_outputs:
            context = output["example"]["context"]
            # Some candidates are dropped when widened to words: ask for more.
            candidates = top_k * 2 + 10 if align_to_words else top_k
            starts, ends, scores, min_null_score = self.select_starts_ends(
                output["start"], output["end"], output["p_mask"], output.get("attention_mask"), min_null_score,
                candidates, handle_impossible_answer, max_answer_len)
            offset = 0
            if self.tokenizer.padding_side == "left":
                offset = (output["input_ids"] == self.tokenizer.pad_token_id).sum().item()
            for s, e, score in zip(starts, ends, scores):
                start_index, end_index = self.get_indices(output["encoding"], s - offset, e - offset, sequence_index,
                                                          align_to_words)
                target = context[start_index:end_index]
                answer = self.get_answer(answers, target)
                if answer:
                    answer["score"] += score
                else:
                    answers.append({"score": score, "start": start_index, "end": end_index, "answer": target})
        if handle_impossible_answer:
            answers.append({"score": min_null_score, "start": 0, "end": 0, "answer": ""})
        answers = sorted(answers, key=lambda x: x["score"], reverse=True)[:top_k]
        if len(answers) == 1:
            return answers[0]
        return answers

    def select_starts_ends(self, start, end, p_mask, attention_mask, min_null_score=1000000, top_k=1,
                           handle_impossible_answer=False, max_answer_len=15):
        """The best (start, end, score) spans of one window, scores being products of the start
        and end probabilities over the tokens that may answer; and the running no-answer score."""
        allowed = 1 - p_mask[0]
        if attention_mask is not None:
            allowed = allowed * attention_mask[0]
        masked = allowed == 0
        start = start[0].float().masked_fill(masked, -10000.0)
        end = end[0].float().masked_fill(masked, -10000.0)
        start = (start - start.max()).exp()
        start = start / start.sum()
        end = (end - end.max()).exp()
        end = end / end.sum()
        if handle_impossible_answer:
            min_null_score = min(min_null_score, (start[0] * end[0]).item())
        start[0] = 0.0
        end[0] = 0.0
        starts, ends, scores = self.decode_spans(start, end, top_k, max_answer_len, allowed.tolist())
        return starts, ends, scores, min_null_score

    def decode_spans(self, start, end, topk, max_answer_len, allowed):
        """The `topk` best spans (end not before start, at most max_answer_len tokens) whose ends
        are both allowed tokens (or the first token)."""
        length = start.shape[0]
        candidates = torch.tril(torch.triu(torch.outer(start, end)), max_answer_len - 1).flatten()
        count = min(topk, length * length)
        if topk == 1:
            values, indices = [candidates.max().item()], [candidates.argmax().item()]
        else:
            values, indices = candidates.topk(count)
            values, indices = values.tolist(), indices.tolist()
        starts, ends, scores = [], [], []
        for value, index in sorted(zip(values, indices), key=lambda pair: (-pair[0], pair[1])):
            s, e = index // length, index % length
            # The first token always passes this test, as in the reference.
            if (s == 0 or allowed[s]) and (e == 0 or allowed[e]):
                starts.append(s)
                ends.append(e)
                scores.append(value)
        return starts, ends, scores

    def get_answer(self, answers, target):
        """The answer already found with the same text (ignoring case), or None."""
        for answer in answers:
            if answer["answer"].lower() == target.lower():
                return answer
        return None

    def get_indices(self, enc, s, e, sequence_index, align_to_words):
        """The characters of tokens s..e in the context, widened to whole words if asked."""
        if align_to_words:
            start_word = enc.token_to_word(s)
            end_word = enc.token_to_word(e)
            if start_word is not None and end_word is not None:
                start_chars = enc.word_to_chars(start_word, sequence_index=sequence_index)
                end_chars = enc.word_to_chars(end_word, sequence_index=sequence_index)
                if start_chars is not None and end_chars is not None:
                    return start_chars[0], end_chars[1]
        # Tokens outside words (or no word alignment asked for): keep to their offsets.
        return enc.offsets[s][0], enc.offsets[e][1]


class TextGenerationPipeline(Pipeline):
    """Continues a text, or answers a chat (a list of messages), with `model.generate`: every
    generate option is accepted; `return_full_text=False` returns only the new text. Prompts
    batched together are padded on the left, as decoder-only models need.

    Without generation parameters it samples up to 256 new tokens at temperature 0.7, as
    transformers' pipeline does, wherever the model's generation config leaves them unset."""

    _pipeline_calls_generate = True

    @property
    def _default_generation_config(self):
        # Built when first read: this module loads before transformers' GenerationConfig exists.
        return _transformers().GenerationConfig(max_new_tokens=256, do_sample=True, temperature=0.7)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.tokenizer is not None and self.tokenizer.padding_side == "right":
            self.tokenizer.padding_side = "left"
        if "prefix" not in self._preprocess_params and getattr(self, "prefix", None) is not None:
            # The model's own prefix (config.prefix) goes before every prompt.
            preprocess_params, forward_params, _ = self._sanitize_parameters(prefix=self.prefix, **self._forward_params)
            self._preprocess_params = {**self._preprocess_params, **preprocess_params}
            self._forward_params = {**self._forward_params, **forward_params}

    def _sanitize_parameters(self, return_full_text=None, return_tensors=None, return_text=None, return_type=None,
                             clean_up_tokenization_spaces=None, prefix=None, stop_sequence=None, truncation=None,
                             max_length=None, continue_final_message=None, skip_special_tokens=None,
                             tokenizer_encode_kwargs=None, tools=None, documents=None, **generate_kwargs):
        preprocess_params = {}
        if "add_special_tokens" in generate_kwargs:
            preprocess_params["add_special_tokens"] = generate_kwargs.pop("add_special_tokens")
        if "padding" in generate_kwargs:
            preprocess_params["padding"] = generate_kwargs.pop("padding")
        _set_given(preprocess_params, truncation=truncation, max_length=max_length, tools=tools, documents=documents,
                   prefix=prefix, continue_final_message=continue_final_message,
                   tokenizer_encode_kwargs=tokenizer_encode_kwargs)
        if max_length is not None:
            generate_kwargs["max_length"] = max_length
        if prefix:
            # A total length given to generate has to count the prefix's tokens too (see _forward).
            prefix_inputs = self.tokenizer(prefix, padding=False, add_special_tokens=preprocess_params.get(
                "add_special_tokens", False), return_tensors="pt")
            generate_kwargs["prefix_length"] = prefix_inputs["input_ids"].shape[-1]
        if stop_sequence is not None:
            generate_kwargs["stop_strings"] = [stop_sequence] if isinstance(stop_sequence, str) else stop_sequence
        if "stop_strings" in generate_kwargs:
            generate_kwargs["tokenizer"] = self.tokenizer
        postprocess_params = {}
        if return_full_text is not None and return_type is None:
            if return_text is not None:
                raise ValueError("`return_text` is mutually exclusive with `return_full_text`")
            if return_tensors is not None:
                raise ValueError("`return_full_text` is mutually exclusive with `return_tensors`")
            return_type = "full_text" if return_full_text else "new_text"
        if return_tensors is not None and return_type is None:
            if return_text is not None:
                raise ValueError("`return_text` is mutually exclusive with `return_tensors`")
            return_type = "tensors"
        _set_given(postprocess_params, return_type=return_type, clean_up_tokenization_spaces=clean_up_tokenization_spaces,
                   continue_final_message=continue_final_message, skip_special_tokens=skip_special_tokens)
        return preprocess_params, generate_kwargs, postprocess_params

    def preprocess(self, prompt_text, prefix="", add_special_tokens=None, truncation=None, padding=None,
                   max_length=None, continue_final_message=None, tokenizer_encode_kwargs=None, tools=None,
                   documents=None):
        tokenizer_kwargs = {}
        _set_given(tokenizer_kwargs, add_special_tokens=add_special_tokens, truncation=truncation, padding=padding,
                   max_length=max_length)
        tokenizer_kwargs.update(tokenizer_encode_kwargs or {})
        if isinstance(prompt_text, Chat):
            tokenizer_kwargs.pop("add_special_tokens", None)
            if continue_final_message is None:
                continue_final_message = prompt_text.messages[-1]["role"] == "assistant"
            inputs = self.tokenizer.apply_chat_template(
                prompt_text.messages, add_generation_prompt=not continue_final_message,
                continue_final_message=continue_final_message, return_dict=True, return_tensors="pt",
                tools=tools, documents=documents, **tokenizer_kwargs)
        else:
            inputs = self.tokenizer(prefix + prompt_text, return_tensors="pt", **tokenizer_kwargs)
        return {**inputs, "prompt_text": prompt_text}

    def _forward(self, model_inputs, **generate_kwargs):
        input_ids = model_inputs["input_ids"]
        attention_mask = model_inputs.get("attention_mask")
        if input_ids.shape[1] == 0:
            # An empty prompt: generate starts from the model's own start token.
            input_ids = None
            attention_mask = None
            prompts = 1
        else:
            prompts = input_ids.shape[0]
        generate_kwargs = dict(generate_kwargs)
        prefix_length = generate_kwargs.pop("prefix_length", 0)
        generate_kwargs = self._prepare_generate_kwargs(generate_kwargs)
        if prefix_length:
            # A total length (rather than a number of new tokens) has to include the prefix.
            generation_params = self._get_set_generation_params(generate_kwargs)
            for length, new_tokens in (("max_length", "max_new_tokens"), ("min_length", "min_new_tokens")):
                if length in generation_params and new_tokens not in generation_params:
                    generate_kwargs[length] = generation_params[length] + prefix_length
        output = self.model.generate(input_ids=input_ids, attention_mask=attention_mask, **generate_kwargs)
        other_outputs = {}
        if _is_model_output(output):
            sequences = output.sequences
            outputs = sequences.shape[0]
            # Per-sequence extras (scores, logits...) are split by prompt like the sequences;
            # a tuple of per-step tensors becomes [sequences, steps, ...] first.
            for key, value in output.items():
                if key in ("sequences", "cache", "past_key_values"):
                    continue
                if isinstance(value, torch.Tensor) and value.shape[0] == outputs:
                    other_outputs[key] = value.reshape(prompts, outputs // prompts, *value.shape[1:])
                elif (isinstance(value, tuple) and len(value) > 0 and isinstance(value[0], torch.Tensor)
                        and len(value[0]) == outputs):
                    value = torch.stack(value).transpose(0, 1)
                    other_outputs[key] = value.reshape(prompts, outputs // prompts, *value.shape[1:])
                elif isinstance(value, torch.Tensor):
                    other_outputs[key] = value
        else:
            sequences = output
        # [prompts, sequences per prompt, length]: a batch splits by prompt.
        per_prompt = sequences.shape[0] // prompts
        sequences = sequences.reshape(prompts, per_prompt, *sequences.shape[1:])
        return {"generated_sequence": sequences, "input_ids": input_ids, "prompt_text": model_inputs["prompt_text"],
                **other_outputs}

    def postprocess(self, model_outputs, return_type="full_text", clean_up_tokenization_spaces=None,
                    continue_final_message=None, skip_special_tokens=None):
        skip_special_tokens = True if skip_special_tokens is None else skip_special_tokens
        sequences = model_outputs["generated_sequence"][0].tolist()
        input_ids = model_outputs["input_ids"]
        prompt_text = model_outputs["prompt_text"]
        # The new text is what follows the prompt's tokens (padding included, when batched).
        prompt_length = 0 if input_ids is None else input_ids.shape[-1]
        # Extra generate outputs (return_dict_in_generate with output_scores...), one per sequence.
        split_keys = {key: value[0].tolist() for key, value in model_outputs.items()
                      if key not in ("generated_sequence", "input_ids", "prompt_text") and isinstance(value, torch.Tensor)}
        records = []
        for index, sequence in enumerate(sequences):
            if return_type == "tensors":
                records.append({"generated_token_ids": sequence})
                continue
            text = self.tokenizer.decode(sequence[prompt_length:], skip_special_tokens=skip_special_tokens,
                                         clean_up_tokenization_spaces=clean_up_tokenization_spaces)
            if return_type == "full_text":
                if isinstance(prompt_text, str):
                    text = prompt_text + text
                elif isinstance(prompt_text, Chat):
                    messages = list(prompt_text.messages)
                    continue_final = continue_final_message
                    if continue_final is None:
                        continue_final = messages[-1]["role"] == "assistant"
                    if continue_final:
                        text = messages[:-1] + [{"role": messages[-1]["role"],
                                                 "content": messages[-1]["content"] + text}]
                    else:
                        text = messages + [{"role": "assistant", "content": text}]
            record = {"generated_text": text}
            for key, values in split_keys.items():
                record[key] = values[index]
            records.append(record)
        return records


class ZeroShotClassificationPipeline(ChunkPipeline):
    """Classifies a text into labels chosen at call time, with a model trained on natural language
    inference: each label becomes the hypothesis "This example is {label}." for the text as the
    premise, and the entailment logit scores it. `candidate_labels` (a list, or one string of
    comma-separated labels), `hypothesis_template` (with a {} for the label) and `multi_label`
    (each label scored alone, entailment against contradiction) are given per call. Results are
    {"sequence", "labels", "scores"} with the labels sorted best first."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.entailment_id == -1:
            # A warning, as transformers logs it: on stderr, so that results printed on stdout stay clean.
            print("Failed to determine 'entailment' label id from the label2id mapping in the model config. Setting to "
                  "-1. Define a descriptive label2id mapping in the model config to ensure correct outputs.", file=sys.stderr)

    @property
    def entailment_id(self):
        """The id of the label whose name starts with "entail" (any case), or -1 (the last)."""
        for label, index in self.model.config.label2id.items():
            if label.lower().startswith("entail"):
                return index
        return -1

    @staticmethod
    def _parse_labels(labels):
        if isinstance(labels, str):
            labels = [label.strip() for label in labels.split(",") if label.strip()]
        return labels

    def _sanitize_parameters(self, **kwargs):
        preprocess_params = {}
        if "candidate_labels" in kwargs:
            preprocess_params["candidate_labels"] = self._parse_labels(kwargs["candidate_labels"])
        if "hypothesis_template" in kwargs:
            preprocess_params["hypothesis_template"] = kwargs["hypothesis_template"]
        postprocess_params = {}
        if "multi_label" in kwargs:
            postprocess_params["multi_label"] = kwargs["multi_label"]
        return preprocess_params, {}, postprocess_params

    def __call__(self, sequences, *args, **kwargs):
        if len(args) == 1 and "candidate_labels" not in kwargs:
            kwargs["candidate_labels"] = args[0]
        elif len(args) > 0:
            raise ValueError(f"Unable to understand extra arguments {args}")
        return super().__call__(sequences, **kwargs)

    def _hypothesis_pairs(self, sequence, labels, hypothesis_template):
        if labels is None:
            raise TypeError("The zero-shot-classification pipeline needs candidate_labels (a list of labels or a "
                             "string of comma-separated labels).")
        if len(labels) == 0 or len(sequence) == 0:
            raise ValueError("You must include at least one label and at least one sequence.")
        if hypothesis_template.format(labels[0]) == hypothesis_template:
            raise ValueError(
                f'The provided hypothesis_template "{hypothesis_template}" was not able to be formatted with the target '
                "labels. Make sure the passed template includes formatting syntax such as {} where the label should go.")
        return [[sequence, hypothesis_template.format(label)] for label in labels]

    def _tokenize_pair(self, premise, hypothesis):
        # Only the premise is cut to the model's length, never the hypothesis; a premise too short to
        # absorb the cut is left whole.
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        try:
            return self.tokenizer(premise, hypothesis, return_tensors="pt", padding=True, truncation="only_first")
        except Exception as e:
            if "too short" not in str(e):
                raise e
            return self.tokenizer(premise, hypothesis, return_tensors="pt", padding=True, truncation="do_not_truncate")

    def preprocess(self, inputs, candidate_labels=None, hypothesis_template="This example is {}."):
        pairs = self._hypothesis_pairs(inputs, candidate_labels, hypothesis_template)
        for i, (label, pair) in enumerate(zip(candidate_labels, pairs)):
            model_input = self._tokenize_pair(pair[0], pair[1])
            yield {"candidate_label": label, "sequence": inputs, "is_last": i == len(candidate_labels) - 1,
                   **model_input}

    def _forward(self, inputs):
        model_inputs = {name: inputs[name] for name in self.tokenizer.model_input_names}
        outputs = self.model(**model_inputs)
        return {"candidate_label": inputs["candidate_label"], "sequence": inputs["sequence"],
                "is_last": inputs["is_last"], **outputs}

    def postprocess(self, model_outputs, multi_label=False):
        labels = [output["candidate_label"] for output in model_outputs]
        logits = torch.cat([output["logits"].float() for output in model_outputs])
        if multi_label or len(labels) == 1:
            # Each label alone: softmax over its (contradiction, entailment) logits.
            entailment = self.entailment_id
            contradiction = -1 if entailment == 0 else 0
            pair = logits[:, [contradiction, entailment]]
            scores = torch.softmax(pair, dim=-1)[:, 1]
        else:
            # The labels compete: softmax of the entailment logits across them.
            scores = torch.softmax(logits[:, self.entailment_id], dim=-1)
        values = scores.tolist()
        # Best first; equal scores in reverse order of the labels, as a reversed ascending sort gives.
        order = sorted(range(len(values)), key=lambda i: values[i])
        order.reverse()
        return {"sequence": model_outputs[0]["sequence"], "labels": [labels[i] for i in order],
                "scores": [values[i] for i in order]}


class PipelineRegistry:
    """The tasks `pipeline()` knows: each with its class, its Auto model class and, where one is
    available offline, a default model."""

    def __init__(self, supported_tasks, task_aliases):
        self.supported_tasks = supported_tasks
        self.task_aliases = task_aliases

    def get_supported_tasks(self):
        names = list(self.supported_tasks.keys()) + list(self.task_aliases.keys())
        names.sort()
        return names

    def check_task(self, task):
        task = self.task_aliases.get(task, task)
        if task in self.supported_tasks:
            return task, self.supported_tasks[task]
        raise KeyError(f"Unknown task {task}, available tasks are {self.get_supported_tasks()}")

    def register_pipeline(self, task, pipeline_class, pt_model=None, default=None, type=None, tf_model=None):
        if task in self.supported_tasks:
            print(f"{task} is already registered. Overwriting pipeline for task {task}...")
        if pt_model is None:
            pt_model = ()
        elif not isinstance(pt_model, tuple):
            pt_model = (pt_model,)
        entry = {"impl": pipeline_class, "pt": pt_model}
        if default is not None:
            if "model" not in default and "pt" in default:
                default = {"model": default["pt"]}
            entry["default"] = default
        if type is not None:
            entry["type"] = type
        self.supported_tasks[task] = entry
        pipeline_class._registered_impl = {task: entry}

    def to_dict(self):
        return self.supported_tasks


TASK_ALIASES = {"sentiment-analysis": "text-classification", "ner": "token-classification"}

SUPPORTED_TASKS = {
    "feature-extraction": {"impl": FeatureExtractionPipeline, "pt": ("AutoModel",),
                           "default": {"model": "sentence-transformers/all-MiniLM-L6-v2"}},
    "text-classification": {"impl": TextClassificationPipeline, "pt": ("AutoModelForSequenceClassification",),
                            "default": {"model": "distilbert/distilbert-base-uncased-finetuned-sst-2-english"}},
    "fill-mask": {"impl": FillMaskPipeline, "pt": ("AutoModelForMaskedLM",),
                  "default": {"model": "distilbert/distilroberta-base"}},
    "token-classification": {"impl": TokenClassificationPipeline, "pt": ("AutoModelForTokenClassification",),
                             "default": {"model": "dbmdz/bert-large-cased-finetuned-conll03-english"}},
    "question-answering": {"impl": QuestionAnsweringPipeline, "pt": ("AutoModelForQuestionAnswering",),
                           "default": {"model": "distilbert/distilbert-base-cased-distilled-squad"}},
    "text-generation": {"impl": TextGenerationPipeline, "pt": ("AutoModelForCausalLM",),
                        "default": {"model": "HuggingFaceTB/SmolLM2-135M-Instruct"}},
    "zero-shot-classification": {"impl": ZeroShotClassificationPipeline, "pt": ("AutoModelForSequenceClassification",),
                                 "default": {"model": "facebook/bart-large-mnli"}},
}

PIPELINE_REGISTRY = PipelineRegistry(supported_tasks=SUPPORTED_TASKS, task_aliases=TASK_ALIASES)


def _auto_class(name_or_class):
    if isinstance(name_or_class, str):
        return getattr(_transformers(), name_or_class)
    return name_or_class


def pipeline(task=None, model=None, tokenizer=None, device=None, batch_size=None, revision=None, gguf_file=None,
             model_kwargs=None, **kwargs):
    """Builds the pipeline for `task` ("text-classification", "feature-extraction", ...) around
    `model` (an id, a path or a loaded model) and its tokenizer."""
    if task is None and model is None:
        raise RuntimeError(
            "Impossible to instantiate a pipeline without either a task or a model being specified. "
            "Please provide a task class or a model")
    if task is None:
        raise RuntimeError("Inferring the task from a model is not supported here yet; please pass the task, "
                           f"one of {PIPELINE_REGISTRY.get_supported_tasks()}")
    task, entry = PIPELINE_REGISTRY.check_task(task)
    transformers = _transformers()
    model_kwargs = dict(model_kwargs or {})
    if model is None:
        default = entry.get("default", {}).get("model")
        if default is None:
            raise RuntimeError(f"The task {task} has no default model; pass model=")
        if isinstance(default, tuple):
            default = default[0]
        model, default_gguf = transformers._local_model_or_error(task, default, entry)
        if gguf_file is None:
            gguf_file = default_gguf
    load_kwargs = dict(model_kwargs)
    if revision is not None:
        load_kwargs["revision"] = revision
    if gguf_file is not None:
        load_kwargs["gguf_file"] = gguf_file
    if isinstance(model, str):
        if tokenizer is None:
            tokenizer = model
        auto = _auto_class(entry["pt"][0]) if len(entry["pt"]) > 0 else transformers.AutoModel
        model = auto.from_pretrained(model, **load_kwargs)
    if tokenizer is None:
        tokenizer = model.config.name_or_path
    if isinstance(tokenizer, str):
        tokenizer_kwargs = {}
        if gguf_file is not None:
            tokenizer_kwargs["gguf_file"] = gguf_file
        tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer, **tokenizer_kwargs)
    impl = entry["impl"]
    return impl(model=model, tokenizer=tokenizer, task=task, batch_size=batch_size, device=device, **kwargs)

"""Builds the chat-template fixtures with transformers' own rendering.

Run: HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/tokenizers/generate_chat_templates.py

The template sources live in chat_templates/*.jinja: SmolLM2's is read here from the GGUF
file's metadata (tokenizer.chat_template); the others are the public chat templates of those
models, committed as found. Every conversation is rendered by `apply_chat_template(...,
tokenize=False)` on a PreTrainedTokenizerFast that carries the template and the model's special
tokens, so the special tokens reach the template exactly as transformers passes them. Short
snippets exercising single Jinja features are rendered by transformers' compiled environment
(`_compile_jinja_template`), and error cases record what Jinja reports.
Writes chat_templates.expected.json and chat_templates.random.json next to this file.
"""
import glob, json, os, random, traceback
import jinja2
from transformers import PreTrainedTokenizerFast
from transformers.utils.chat_template_utils import _compile_jinja_template

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "chat_templates")


def smollm2_template():
    import gguf
    hub = os.path.join(os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface")), "hub")
    path = glob.glob(os.path.join(hub, "models--HuggingFaceTB--SmolLM2-135M-Instruct", "snapshots", "*",
                                  "SmolLM2-135M-Instruct.Q4_1.gguf"))[0]
    field = gguf.GGUFReader(path).fields["tokenizer.chat_template"]
    return bytes(field.parts[field.data[0]]).decode("utf-8")


with open(os.path.join(TEMPLATES, "smollm2.jinja"), "w", encoding="utf-8", newline="") as f:
    f.write(smollm2_template())

# name -> special tokens of that model
MODELS = {
    "smollm2": {"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "unk_token": "<|endoftext|>"},
    "chatml": {"bos_token": "<s>", "eos_token": "<|im_end|>"},
    "zephyr-7b-beta": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "gemma-2-it": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>"},
    "llama-3.1-instruct": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "mistral-7b-instruct-v0.3": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "qwen2.5-instruct": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "hermes-3-llama-3.1-tool-use": {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"},
}


def source(name):
    with open(os.path.join(TEMPLATES, name + ".jinja"), encoding="utf-8", newline="") as f:
        return f.read()


BASIC = [
    {"role": "user", "content": "Hello!"},
    {"role": "assistant", "content": "Hi there, how can I help?"},
    {"role": "user", "content": "What is 2+2?"},
]
WITH_SYSTEM = [{"role": "system", "content": "You are a helpful assistant."}] + BASIC
UNICODE = [
    {"role": "system", "content": "  Réponds en français.  \n"},
    {"role": "user", "content": "  Dis \"bonjour\" 👋 et 你好 \n\n"},
    {"role": "assistant", "content": "Bonjour ! 'ça va' ?", "tool_calls": None},
    {"role": "user", "content": "Merci\t!"},
]
CONTINUE = [
    {"role": "user", "content": "Write a haiku about the sea."},
    {"role": "assistant", "content": "Waves fold into foam,"},
]
NOT_ALTERNATING = [{"role": "user", "content": "One"}, {"role": "user", "content": "Two"}]
TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city, in °C or °F.",
        "parameters": {"type": "object", "properties": {
            "location": {"type": "string", "description": "The city, e.g. Paris"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "The unit"},
            "days": {"type": "integer", "description": "  How many days  "}},
            "required": ["location"]}}},
    {"type": "function", "function": {
        "name": "search",
        "description": "Search the web.",
        "parameters": {"type": "object", "properties": {
            "query": {"type": "string", "description": "What to look for"},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "Filters"},
            "options": {"type": "object", "additionalProperties": {"type": "number"}, "description": "Weights"},
            "limit": {"type": ["integer", "string"], "description": "At most this many"}},
            "required": ["query"]}}},
]
TOOL_CALL = {"id": "call12345", "type": "function",
             "function": {"name": "get_weather", "arguments": {"location": "Paris", "unit": "celsius"}}}
TOOL_CONVERSATION = [
    {"role": "system", "content": "You are a weather bot."},
    {"role": "user", "content": "What's the weather in Paris?"},
    {"role": "assistant", "tool_calls": [TOOL_CALL]},
    {"role": "tool", "tool_call_id": "call12345", "name": "get_weather", "content": "22"},
    {"role": "assistant", "content": "It is 22 °C in Paris."},
    {"role": "user", "content": "Thanks!"},
]
TWO_TOOL_CALLS = [
    {"role": "user", "content": "Weather in Paris and Rome?"},
    {"role": "assistant", "content": "Let me check.", "tool_calls": [
        TOOL_CALL,
        {"id": "call67890", "type": "function",
         "function": {"name": "get_weather", "arguments": {"location": "Rome"}}}]},
    {"role": "tool", "tool_call_id": "call12345", "content": "{\"temperature\": 22}"},
    {"role": "tool", "tool_call_id": "call67890", "content": "{\"temperature\": 27}"},
]
DOCUMENTS = [{"title": "Tides", "text": "The moon pulls the sea."}]

# (case name, template, messages, options)
CASES = [
    ("smollm2 basic", "smollm2", BASIC, {"add_generation_prompt": True}),
    ("smollm2 basic without prompt", "smollm2", BASIC, {}),
    ("smollm2 with system", "smollm2", WITH_SYSTEM, {"add_generation_prompt": True}),
    ("smollm2 unicode", "smollm2", UNICODE, {"add_generation_prompt": True}),
    ("smollm2 continue final message", "smollm2", CONTINUE, {"continue_final_message": True}),
    ("chatml basic", "chatml", BASIC, {"add_generation_prompt": True}),
    ("chatml with system", "chatml", WITH_SYSTEM, {}),
    ("zephyr with system", "zephyr-7b-beta", WITH_SYSTEM, {"add_generation_prompt": True}),
    ("zephyr without prompt", "zephyr-7b-beta", BASIC, {}),
    ("zephyr continue final message", "zephyr-7b-beta", CONTINUE, {"continue_final_message": True}),
    ("gemma basic", "gemma-2-it", BASIC, {"add_generation_prompt": True}),
    ("gemma unicode trimmed", "gemma-2-it", UNICODE[1:], {"add_generation_prompt": True}),
    ("gemma continue final message", "gemma-2-it", CONTINUE, {"continue_final_message": True}),
    ("llama 3.1 with system", "llama-3.1-instruct", WITH_SYSTEM, {"add_generation_prompt": True}),
    ("llama 3.1 basic", "llama-3.1-instruct", BASIC, {}),
    ("llama 3.1 unicode", "llama-3.1-instruct", UNICODE, {"add_generation_prompt": True}),
    ("llama 3.1 tools in user message", "llama-3.1-instruct", TOOL_CONVERSATION, {"tools": TOOLS, "add_generation_prompt": True}),
    ("llama 3.1 tools in system message", "llama-3.1-instruct", TOOL_CONVERSATION,
     {"tools": TOOLS, "tools_in_user_message": False, "date_string": "01 Jan 2025"}),
    ("llama 3.1 builtin tools", "llama-3.1-instruct", BASIC,
     {"builtin_tools": ["code_interpreter", "brave_search", "wolfram_alpha"], "add_generation_prompt": True}),
    ("llama 3.1 continue final message", "llama-3.1-instruct", CONTINUE, {"continue_final_message": True}),
    ("mistral v0.3 basic", "mistral-7b-instruct-v0.3", BASIC, {}),
    ("mistral v0.3 with system", "mistral-7b-instruct-v0.3", WITH_SYSTEM, {}),
    ("mistral v0.3 unicode", "mistral-7b-instruct-v0.3", UNICODE, {}),
    ("mistral v0.3 tool calling", "mistral-7b-instruct-v0.3", TOOL_CONVERSATION, {"tools": TOOLS}),
    ("mistral v0.3 two tool calls", "mistral-7b-instruct-v0.3", TWO_TOOL_CALLS + [{"role": "assistant", "content": "Paris 22, Rome 27."}, {"role": "user", "content": "And Oslo?"}], {"tools": TOOLS}),
    ("qwen2.5 basic", "qwen2.5-instruct", BASIC, {"add_generation_prompt": True}),
    ("qwen2.5 with system", "qwen2.5-instruct", WITH_SYSTEM, {}),
    ("qwen2.5 unicode", "qwen2.5-instruct", UNICODE, {"add_generation_prompt": True}),
    ("qwen2.5 tools", "qwen2.5-instruct", TOOL_CONVERSATION, {"tools": TOOLS, "add_generation_prompt": True}),
    ("qwen2.5 two tool calls", "qwen2.5-instruct", TWO_TOOL_CALLS, {"tools": TOOLS, "add_generation_prompt": True}),
    ("qwen2.5 documents ignored", "qwen2.5-instruct", BASIC, {"documents": DOCUMENTS, "add_generation_prompt": True}),
    ("qwen2.5 continue final message", "qwen2.5-instruct", CONTINUE, {"continue_final_message": True}),
    ("hermes 3 tools", "hermes-3-llama-3.1-tool-use", TOOL_CONVERSATION, {"tools": TOOLS, "add_generation_prompt": True}),
    ("hermes 3 two tool calls", "hermes-3-llama-3.1-tool-use", TWO_TOOL_CALLS, {"tools": TOOLS}),
]

# (name, template source, context) rendered directly by transformers' compiled environment.
SNIPPETS = [
    ("whitespace control", "a  {{- 'b' -}}  c\n  {%- if true -%}  d  {%- endif %}\n{# note #}\n  {% if true %}\n    e\n  {% endif %}\nf {{ 'g' }}\n{%+ if true %}h{% endif +%}\ni", {}),
    ("lstrip first line and comments", "   {% set x = 1 %}\n  {# c #}\n{{ x }}\n  {{ x }}  \n{% raw %}{{ not parsed }}{% endraw %}", {}),
    ("printing values", "{{ none }}|{{ true }}|{{ 1.0 }}|{{ 1e-5 }}|{{ 2.5e20 }}|{{ 10 / 4 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}|{{ [1, 'a', none, 1.5] }}|{{ {'k': \"it's\", 'b': [true]} }}|{{ (1,) }}|{{ ('a', 2) }}|{{ 'x' ~ 1 ~ none }}|{{ missing }}", {}),
    ("string repr escapes", "{{ ['a\\nb', 'q\"', \"s'\", 'both\\'\"', 'tab\\t', 'é😀'] }}", {}),
    ("loop variables", "{% for x in items %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}[{{ loop.previtem }}|{{ loop.nextitem }}]{{ loop.cycle('o', 'e') }};{% endfor %}", {"items": ["a", "b", "c"]}),
    ("loop filter else break continue", "{% for n in range(10) if n % 2 == 0 %}{% if n == 2 %}{% continue %}{% endif %}{% if n > 6 %}{% break %}{% endif %}{{ n }}:{{ loop.index }}/{{ loop.length }} {% else %}empty{% endfor %}|{% for x in [] %}x{% else %}none{% endfor %}", {}),
    ("tuple unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for a, b in [[1, 2], (3, 4)] %}{{ a + b }}{% endfor %}{% set p, q = 'xy' %}{{ q }}{{ p }}", {"d": {"z": 1, "a": [2]}}),
    ("scoping and namespace", "{% set a = 1 %}{% set ns = namespace(total=0, items=[]) %}{% for x in [1, 2, 3] %}{% set a = a + x %}{% set ns.total = ns.total + x %}{% endfor %}{{ a }} {{ ns.total }} {{ ns.items }}{% if true %}{% set b = 5 %}{% endif %}{{ b }}", {}),
    ("macros", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }} {{ greet(name='Cy') }}{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ greet('Di') }}{% endcall %}{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %} {{ fact(5) }}", {}),
    ("set block and filter block", "{% set text %}  Hello {{ who }}  {% endset %}[{{ text | trim }}]{% set shout | upper %}quiet{% endset %}{{ shout }}{% filter title %}a tale of two-cities{% endfilter %}", {"who": "you"}),
    ("conditionals and logic", "{% for n in [0, 1, 2] %}{% if n == 0 %}zero{% elif n == 1 %}one{% else %}many{% endif %},{% endfor %}{{ 'y' if 1 < 2 < 3 else 'n' }}{{ 'y' if 3 > 2 > 2 else 'n' }}{{ [] or 'fallback' }}{{ 'a' and 'b' }}{{ not none }}{{ 1 in [1, 2] }}{{ 'ell' in 'hello' }}{{ 'k' not in d }}{{ 'y' if false }}", {"d": {"k": 1}}),
    ("attribute and item access", "{{ d.k }}|{{ d['k'] }}|{{ d.missing is defined }}|{{ xs[0] }}{{ xs[-1] }}|{{ xs[5] is defined }}|{{ d.get('k') }}{{ d.get('nope', 'dflt') }}{{ d.get('nope') }}|{{ d.keys() | list }}{{ d.values() | list }}|{{ none.attr is defined }}|{{ xs.0 }}", {"d": {"k": "v", "n": 2}, "xs": [1, 2, 3]}),
    ("slices", "{{ xs[1:] }}{{ xs[:2] }}{{ xs[::-1] }}{{ xs[::2] }}{{ xs[-2:] }}{{ xs[:-1] }}{{ xs[4:1:-1] }}{{ xs[10:] }}{{ 'hello'[1:3] }}{{ 'hello'[::-1] }}{{ 'abc'[-1] }}", {"xs": [1, 2, 3, 4, 5]}),
    ("filters on text", "[{{ '  x  ' | trim }}][{{ 'xxhixx' | trim('x') }}]{{ 'Ab' | upper }}{{ 'Ab' | lower }}{{ 'hello wORLD' | capitalize }}{{ 'hello wORLD-x (y)' | title }}{{ 'a-b-a' | replace('a', 'o') }}{{ 'one two  three' | wordcount }}|{{ 'x\ny\n\nz' | indent(2) }}|{{ 'x\ny' | indent(2, true) }}|{{ '<&>' | e }}{{ 'abc' | reverse }}{{ 42 | string }}{{ 'abc' | list }}", {}),
    ("filters on sequences", "{{ xs | length }}{{ xs | count }}{{ xs | first }}{{ xs | last }}{{ xs | join('-') }}{{ xs | reverse | list }}{{ xs | sort }}{{ xs | sort(reverse=true) }}{{ words | sort }}{{ words | sort(case_sensitive=true) }}{{ words | unique | list }}{{ xs | sum }}{{ xs | min }}{{ xs | max }}{{ [3.7, -2] | map('abs') | list }}{{ '3' | int + 1 }}{{ '2.5' | float }}{{ 'x' | int(7) }}{{ 3.7 | int }}{{ d | dictsort }}{{ d | dictsort(by='value', reverse=true) }}{{ d | items | list }}", {"xs": [3, 1, 2], "words": ["b", "A", "a", "C"], "d": {"b": 2, "a": 3, "c": 1}}),
    ("selectattr map default", "{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}|{{ ms | rejectattr('role', 'eq', 'user') | map(attribute='content') | list }}|{{ ms | selectattr('tool') | list | length }}|{{ ms | map(attribute='missing', default='-') | join }}|{{ missing | default('d') }}{{ '' | default('e', true) }}{{ none | d('f') }}{{ ms | map(attribute='role') | unique | list }}{{ [1, 0, 2] | select | list }}{{ [1, 2, 3, 4] | reject('odd') | list }}", {"ms": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "tool": True}, {"role": "user", "content": "c"}]}),
    ("tojson variants", "{{ d | tojson }}\n{{ d | tojson(indent=2) }}\n{{ d | tojson(sort_keys=true) }}\n{{ d | tojson(separators=(',', ':')) }}\n{{ d | tojson(ensure_ascii=true) }}\n{{ [] | tojson(indent=2) }}{{ {} | tojson(indent=2) }}{{ 'é\"\\n' | tojson }}{{ 1.5 | tojson }}{{ none | tojson }}", {"d": {"z": [1, 2.0, "é😀"], "a": {"b": None, "c": True, "e": {}}, "t": "tab\there"}}),
    ("tests", "{{ x is defined }}{{ y is undefined }}{{ n is none }}{{ s is string }}{{ d is mapping }}{{ s is iterable }}{{ 3 is iterable }}{{ xs is sequence }}{{ 3 is number }}{{ 3.0 is float }}{{ 3 is integer }}{{ true is boolean }}{{ true is true }}{{ 0 is false }}{{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(4) }}{{ 'a' is equalto 'a' }}{{ 2 is in [1, 2] }}{{ s is not mapping }}{{ 'ab' is lower }}{{ undefined_thing is iterable }}", {"x": 1, "n": None, "s": "str", "d": {}, "xs": [1]}),
    ("string methods", "{{ ' x '.strip() }}|{{ '--x--'.lstrip('-') }}|{{ '--x--'.rstrip('-') }}|{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x', 'c')) }}|{{ 'a,b,,c'.split(',') }}{{ '  a  b '.split() }}{{ 'a b c'.split(' ', 1) }}{{ 'a b c'.rsplit(' ', 1) }}|{{ 'hi'.upper() }}{{ 'HI'.lower() }}{{ 'hello world'.title() }}{{ 'hello World'.capitalize() }}|{{ 'aaa'.replace('a', 'b', 2) }}|{{ '{} and {name}'.format(1, name='x') }}|{{ 'abcabc'.find('c') }}{{ 'abcabc'.count('b') }}|{{ '-'.join(['a', 'b']) }}|{{ 'r</think>a'.split('</think>')[-1].lstrip('\\n') }}", {}),
    ("dict and list building", "{% set d = {'a': 1, 'b': [1, 2]} %}{{ d }}{{ dict(x=1, y='z') }}{{ [1, 2] + [3] }}{{ 'ab' * 2 }}{{ [0] * 3 }}{{ range(3) | list }}{{ range(1, 8, 3) | list }}{{ range(3, 0, -1) | list }}{{ (d.b | length) * 2 }}", {}),
    ("generation block", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}[{{ m.content }}]{% endif %}{% endfor %}", {"messages": BASIC}),
    ("set in a loop reads the outer value each pass", "{% set x = 0 %}{% for i in [1,2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}", {}),
    ("macro sees later top-level set", "{% macro m() %}{{ late }}{% endmacro %}{% set late = 'L' %}{{ m() }}", {}),
    ("float printing", "{{ 1e16 }} {{ 0.0001 }} {{ 123456789.123 }} {{ -0.0 }} {{ 1/3 }} {{ 1e15 }} {{ 12345678901234567.0 }} {{ 0.1+0.2 }} {{ 5 // 0.5 }} {{ 2 ** -1 }} {{ 7 % -3 }} {{ -7.5 % 2 }}", {}),
    ("nested loops", "{% for a in [1,2] %}{% for b in 'xy' %}{{ loop.index }}{{ b }}{% endfor %}{{ loop.index }}{% endfor %}", {}),
    ("trailing newlines", "x\n\n\n", {}),
    ("comparisons of sequences", "{{ 'abc' < 'abd' }}{{ [1,2] < [1,3] }}{{ none is sameas none }}{{ 1 == 1.0 }}{{ true == 1 }}{{ [1] == [1.0] }}{{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }}", {}),
    ("previtem undefined on first pass", "{% for x in items %}{{ loop.previtem }}|{{ loop.previtem is defined }}|{% endfor %}", {"items": ["a", "b"]}),
    ("namespace printing", "{% set ns = namespace(a=1, b='x') %}{{ ns }}", {}),
    ("concat and defaults", "{{ 'a' ~ [1] }}|{{ x | default }}|{{ undefined_var | length }}|{{ none | string }}|{{ (1, 2) | tojson }}|{{ [1, 2, 3] | map('string') | join('+') }}|{{ -3 | abs }}{{ - 3 | abs }}", {}),
    ("minus trims across lines", "{% if true %}\n  a\n{%- endif %}\nb\n  {%- if true %}x{% endif %}", {}),
    ("dict attribute versus method", "{{ {'a': 1}.a }}{{ {'items': 5}.items is callable }}{{ {'items': 5}['items'] }}{{ 'x' if none }}|", {}),
    ("frames: a later set hides the context in earlier loops", "{% for x in [1] %}[{{ name }}]{% endfor %}{% set name = 'M' %}{{ name }}|{{ other }}{% set other = 'O' %}{{ other }}", {"name": "N", "other": "P"}),
    ("frames: a set inside an if falls back to the context", "{% if flag %}{% set name = 'B' %}{% endif %}{{ name }}{% for x in [1, 2] %}{% for y in [1] %}[{{ name2 }}]{% endfor %}{% set name2 = 'M' %}{% endfor %}", {"name": "N", "name2": "Q", "flag": False}),
    ("frames: macros read their definition frame at call time", "{% macro m() %}{{ name }}{% endmacro %}{{ m() }}{% set name = 'M' %}{{ m() }}{% macro k(a=name) %}{{ a }}{% endmacro %}{{ k() }}", {"name": "N"}),
    ("python case mapping and line breaks", "{{ 'ǅΣ ß ﬁx'.title() }}|{{ 'ßa ΣΑΣ' | capitalize }}|{{ 'ΑΣ' | lower }}|{{ 'ﬁsh-and ßig' | title }}|{{ 'a\u2028b\rc' | indent(2) }}|{{ 'x\u2028y\r\nz'.splitlines() }}|{{ 7 | round }}{{ 7.25 | round(1) }}|{{ 'AbC' is upper }}{{ '1a' is lower }}", {}),
    ("filters that return one-pass iterators", "{% if ms | selectattr('role', 'equalto', 'system') %}always true{% endif %}|{% set g = ms | map(attribute='role') %}{{ g | join(',') }}|{{ g | join(',') }}|{{ ms | selectattr('role') | list | length }}|{{ 'user' in ms | map(attribute='role') }}|{{ ms | map(attribute='role') | unique | list }}|{{ [1, 2] | reverse | list }}{{ {'a': 1, 'b': 2} | reverse | list }}", {"ms": [{"role": "user"}, {"role": "assistant"}, {"role": "user"}]}),
    ("macro varargs kwargs and caller arguments", "{% macro m(a, b='B') %}[{{ a }}{{ b }}{{ varargs }}{{ kwargs }}]{% endmacro %}{{ m(1) }}{{ m(1, 2, 3, 4) }}{{ m(a=1, z=2) }}{% macro w(x) %}<{{ caller(x * 2) }}>{% endmacro %}{% call(v) w(4) %}v={{ v }}{% endcall %}{% for x in [1, 1, 2, 2, 1] %}{{ loop.changed(x) }}{% endfor %}", {}),
    ("windows newlines", "line1\r\n{% if true %}\r\n  two\r\n{% endif %}\r\nend\r\n", {}),
]

# (name, template source, context): templates that fail; Jinja's message and line are recorded.
ERRORS = [
    ("unclosed for", "{% for m in messages %}\n{{ m }}\n", {}),
    ("unknown tag", "line one\n{% frobnicate %}", {}),
    ("bad expression", "{{ 1 + }}", {}),
    ("unbalanced bracket", "ok\n\n{{ (1 + 2 }}", {}),
    ("stray endif", "{% if true %}x{% endif %}\n{% endif %}", {}),
    ("raise in template", "{% for m in messages %}\n{% if m.role == 'bad' %}\n{{ raise_exception('Unsupported role: ' + m.role) }}\n{% endif %}\n{% endfor %}",
     {"messages": [{"role": "user"}, {"role": "bad"}]}),
]

# (name, template, messages, options): real templates that raise on these conversations.
RAISING_CASES = [
    ("gemma rejects system", "gemma-2-it", WITH_SYSTEM, {}),
    ("mistral rejects non-alternating roles", "mistral-7b-instruct-v0.3", NOT_ALTERNATING, {}),
    ("llama rejects two tool calls", "llama-3.1-instruct", TWO_TOOL_CALLS, {"tools": TOOLS}),
]


# Random templates, rendered by Jinja, that the Swift engine must render identically. Each
# family stresses one part: whitespace control and scoping, expressions, string handling,
# macros and loops. Kept: cases Jinja renders without error and without printing an object's
# memory address (a printed generator), which no other engine could reproduce.
def random_cases():
    import copy
    out = []

    def keep(name, src, ctx):
        try:
            text = _compile_jinja_template(src).render(**copy.deepcopy(ctx))
        except Exception:
            return
        if " at 0x" in text:
            return
        out.append({"name": name, "source": src, "context": ctx, "expected": text})

    # Whitespace control, comments, raw blocks and Jinja's frame scoping.
    r = random.Random(2)
    ctx = {"xs": ["a", "b"], "flag": True, "name": "N", "messages": [{"role": "user"}, {"role": "assistant"}]}
    texts = ["", " ", "  ", "\n", "\n\n", " \n", "\n  ", "\t", "x", "x\n", " y ", "\n z\n  ", "\r\n", "a\r\nb"]
    def lm(): return r.choice(["", "", "-", "+"])
    def stmt(depth):
        k = r.random()
        t = lambda: r.choice(texts)
        if depth <= 0 or k < 0.25:
            return t() + "{{" + r.choice(["", "-"]) + " " + r.choice(["name", "xs[0]", "loop.index if loop is defined else 0"]) + " " + r.choice(["", "-"]) + "}}" + t()
        if k < 0.35:
            return t() + "{#" + lm() + " c " + lm() + "#}" + t()
        if k < 0.5:
            return t() + "{%" + lm() + " if flag " + lm() + "%}" + body(depth) + "{%" + lm() + " else " + lm() + "%}" + body(depth) + "{%" + lm() + " endif " + lm() + "%}" + t()
        if k < 0.7:
            return t() + "{%" + lm() + " for x in xs " + lm() + "%}" + body(depth) + "{%" + lm() + " endfor " + lm() + "%}" + t()
        if k < 0.8:
            return t() + "{%" + lm() + " set name = 'M' " + lm() + "%}" + t()
        if k < 0.85:
            return t() + "{%" + lm() + " raw " + r.choice(["", "-"]) + "%}" + t() + "{{ raw }}" + t() + "{%" + lm() + " endraw " + lm() + "%}" + t()
        if k < 0.93:
            return r.choice(["{% set name = name ~ 1 %}", "{% if flag %}{% set name = 'B' %}{% endif %}",
                             "{% macro mm(a=name) %}<{{ a }}{{ name }}>{% endmacro %}", "{{ mm() if mm is defined else '-' }}",
                             "{% set ns = namespace(v=name) %}{{ ns.v }}", "{% with name = 'W' %}{{ name }}{% endwith %}"])
        return t() + "{%" + lm() + " for m in messages " + lm() + "%}" + t() + "{{ m.role }}" + t() + "{%" + lm() + " endfor " + lm() + "%}"
    def body(depth):
        return "".join(stmt(depth - 1) for _ in range(r.randint(1, 3)))
    for i in range(80):
        keep(f"random whitespace and scoping {i}", body(3), ctx)

    # Expressions: operators, filters, tests, methods, slices.
    r = random.Random(1)
    ctx = {"s": "Hello, World", "n": 7, "f": 2.5, "xs": [3, 1, 2], "d": {"b": 2, "a": [1, "x"]}, "e": "", "z": 0, "nn": None,
           "ws": ["b", "A", "a"], "ms": [{"role": "user", "content": " hi "}, {"role": "assistant", "content": "yo"}]}
    atoms = ["1", "-3", "0", "2.5", "1e3", "'a'", "' x '", "''", "none", "true", "false", "s", "n", "f", "xs", "d", "ms", "u",
             "e", "z", "nn", "ws", "[1, 'a']", "{'k': 1}", "(1, 2)", "ms[0]", "d.a", "xs[-1]"]
    filters = ["trim", "length", "upper", "lower", "title", "capitalize", "first", "last", "list", "string", "float", "join(', ')",
               "sort", "tojson", "tojson(indent=2)", "default('z')", "abs", "dictsort", "sum", "min", "max", "wordcount",
               "replace('l', 'L')", "selectattr('role', 'equalto', 'user') | list", "map(attribute='role') | list", "count",
               "string | length", "list | length", "tojson(sort_keys=true)"]
    tests = ["defined", "undefined", "string", "number", "iterable", "mapping", "none", "odd", "even", "sequence", "boolean",
             "integer", "float", "true", "false", "divisibleby 2", "equalto 7", "in [1, 7]", "lower", "upper"]
    methods = [".split(',')", ".lower()", ".upper()", ".startswith('H')", ".strip()", ".title()", ".get('a')", ".keys() | list",
               ".replace('o', '0')", ".endswith('d')", ".count('l')", ".find('W')", ".split()", ".rstrip('d')"]
    binops = ["+", "-", "*", "/", "//", "~", "==", "!=", "<", ">", "<=", ">=", "in", "not in", "and", "or"]
    def expr(depth):
        k = r.random()
        if depth <= 0 or k < 0.3:
            return r.choice(atoms)
        if k < 0.45:
            return f"({expr(depth - 1)} {r.choice(binops)} {expr(depth - 1)})"
        if k < 0.6:
            return f"({expr(depth - 1)} | {r.choice(filters)})"
        if k < 0.7:
            return f"({expr(depth - 1)} is {'not ' if r.random() < 0.3 else ''}{r.choice(tests)})"
        if k < 0.8:
            return f"{r.choice(['s', 'd', 'xs', 'e', 'ms[0].content'])}{r.choice(methods)}"
        if k < 0.87:
            return f"({expr(depth - 1)} if {expr(depth - 1)} else {expr(depth - 1)})"
        if k < 0.93:
            return f"{r.choice(['xs', 's', 'ws', '(1, 2, 3)'])}[{r.choice(['', '1', '-1', '-2'])}:{r.choice(['', '2', '-1', '10'])}{r.choice(['', ':-1', ':2', ':-2'])}]"
        return f"(not {expr(depth - 1)})"
    for i in range(250):
        keep(f"random expression {i}", "{{ " + expr(3) + " }}", ctx)

    # Text handling: Python's case mapping, whitespace, repr and JSON escaping.
    r = random.Random(3)
    alphabet = ["a", "Z", " ", "  ", "\t", "\n", "\r", "'", '"', "\\", "é", "ß", "ǅ", "İ", "😀", "你好", "\u00a0", "\u2028", "\x00",
                "\x1f", "\x7f", "\u200b", "-", "(", "x_y", "1", "É", "ﬁ", "Σ", "ς"]
    exprs = ["v", "[v]", "v|tojson", "[v]|tojson(indent=1)", "v|trim", "v.split()", "v.split(' ')", "v|title", "v|capitalize",
             "v.title()", "v.capitalize()", "v|upper", "v|lower", "v|wordcount", "v|length", "v[::-1]", "v|indent(2)", "v.strip()",
             "v.rstrip(' a')", "{'k': v}", "v|tojson(ensure_ascii=true)", "v is lower", "v.splitlines()", "v|list", "v|center(12)"]
    for i in range(250):
        v = "".join(r.choice(alphabet) for _ in range(r.randint(0, 6)))
        keep(f"random text {i}", "{{ " + r.choice(exprs) + " }}", {"v": v})

    # Macros, call blocks, loops, set and filter blocks.
    r = random.Random(7)
    ctx = {"xs": [3, 1, 2], "d": {"b": 1, "a": 2}, "name": "N",
           "ms": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}, {"role": "user", "content": "ok"}]}
    pieces = ["{% macro m(a, b='B', c=name) %}[{{ a }}{{ b }}{{ c }}{{ varargs }}{{ kwargs }}]{% endmacro %}",
              "{{ m(1) if m is defined }}", "{{ m(1, 2, 3) if m is defined }}", "{{ m(a=1, c=3) if m is defined }}",
              "{% macro w() %}<{{ caller() }}>{% endmacro %}{% call w() %}in{{ name }}{% endcall %}",
              "{% for x in xs %}{{ loop.cycle('a', 'b') }}{{ loop.changed(x > 1) }}{% endfor %}",
              "{% for k, v in d | dictsort %}{{ k }}{{ v }}{% if loop.last %}!{% endif %}{% endfor %}",
              "{% for k, v in d.items() if v > 1 %}{{ k }}{{ loop.length }}{% else %}none{% endfor %}",
              "{% for x in xs %}{% if x == 1 %}{% break %}{% endif %}{{ x }}{% endfor %}",
              "{% for x in xs %}{% for y in xs %}{% if y == x %}{% continue %}{% endif %}{{ x }}{{ y }},{% endfor %}{% endfor %}",
              "{% set t | trim | upper %}  {{ name }} x  {% endset %}{{ t }}", "{% filter upper %}abc{{ name }}{% endfilter %}",
              "{% set ns = namespace(c=0, s='') %}{% for m in ms %}{% set ns.c = ns.c + 1 %}{% set ns.s = ns.s ~ m.role[0] %}{% endfor %}{{ ns.c }}{{ ns.s }}",
              "{% set a, b = xs[:2] %}{{ b }}{{ a }}", "{% set name = name ~ '!' %}",
              "{% for m in ms %}{{ loop.previtem.role if loop.previtem is defined else '-' }}>{{ m.role }} {% endfor %}",
              "{{ ms | map(attribute='content') | map('upper') | join }}", "{{ xs | map('string') | map('length') | sum }}",
              "{{ dict(a=1, **{'b': 2}) }}", "{{ m(*xs) if m is defined }}", "{% if ms[0].role == 'user' %}U{% elif ms[0].role == 'x' %}X{% else %}O{% endif %}",
              "{{ '%s-%s' % (1, 'a') }}", "{{ 'a{}b{}'.format(1, 2) }}", "\n  ", "text ", "{# c #}"]
    for i in range(60):
        keep(f"random statements {i}", "".join(r.choice(pieces) for _ in range(r.randint(1, 5))), ctx)
    return out


def tokenizer_for(name):
    tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(HERE, "wordlevel.json"), **MODELS[name])
    tok.chat_template = source(name)
    return tok


def render_case(name, messages, options):
    tok = tokenizer_for(name)
    rendered = tok.apply_chat_template(messages, tokenize=False, **options)
    extra = dict(tok.special_tokens_map)
    for key, value in options.items():
        if key not in ("tools", "documents", "add_generation_prompt", "continue_final_message"):
            extra[key] = value
    return rendered, extra


def case_record(case_name, name, messages, options):
    extra = dict(tokenizer_for(name).special_tokens_map)
    for key, value in options.items():
        if key not in ("tools", "documents", "add_generation_prompt", "continue_final_message"):
            extra[key] = value
    return {"name": case_name, "template": name, "messages": messages, "tools": options.get("tools"),
            "documents": options.get("documents"), "add_generation_prompt": options.get("add_generation_prompt", False),
            "continue_final_message": options.get("continue_final_message", False), "extra": extra}


def raise_line(src, message):
    for number, line in enumerate(src.split("\n"), 1):
        if "raise_exception" in line and any(part and part in line for part in [message[:20], message.split(":")[0]]):
            return number
    return None


def main():
    out = {"templates": sorted(MODELS), "cases": [], "snippets": [], "errors": []}
    randomized = random_cases()
    for case_name, name, messages, options in CASES:
        record = case_record(case_name, name, messages, options)
        record["expected"], _ = render_case(name, messages, options)
        out["cases"].append(record)
    for case_name, src, context in SNIPPETS:
        out["snippets"].append({"name": case_name, "source": src, "context": context,
                                "expected": _compile_jinja_template(src).render(**context)})
    for case_name, src, context in ERRORS:
        try:
            _compile_jinja_template(src).render(**context)
            raise SystemExit(f"{case_name} did not fail")
        except jinja2.TemplateSyntaxError as e:
            out["errors"].append({"name": case_name, "source": src, "context": context, "kind": "syntax",
                                  "message": e.message, "line": e.lineno})
        except jinja2.TemplateError as e:
            out["errors"].append({"name": case_name, "source": src, "context": context, "kind": "raised",
                                  "message": e.message, "line": raise_line(src, e.message)})
    for case_name, name, messages, options in RAISING_CASES:
        try:
            render_case(name, messages, options)
            raise SystemExit(f"{case_name} did not fail")
        except jinja2.TemplateError as e:
            record = case_record(case_name, name, messages, options)
            record.update({"kind": "raised", "message": e.message, "line": raise_line(source(name), e.message)})
            out["errors"].append(record)
    with open(os.path.join(HERE, "chat_templates.expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    # The random cases go compact into their own file.
    with open(os.path.join(HERE, "chat_templates.random.json"), "w", encoding="utf-8") as f:
        json.dump(randomized, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(len(out["cases"]), "cases,", len(out["snippets"]), "snippets,", len(out["errors"]), "errors,", len(randomized), "random")


main()

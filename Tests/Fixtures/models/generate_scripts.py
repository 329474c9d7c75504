"""Records what transformers prints for the model scripts, for the Swift ModelBindingTests.

    HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/generate_scripts.py

Each scripts/*.py is valid Python and valid Apus. It runs here under real Python with
transformers, from the package root (the scripts name the tiny fixtures by relative path; the
real all-MiniLM-L6-v2 comes from $HF_HOME), and its stdout (with "Type: message" of an
uncaught exception) is recorded in scripts.json. The Swift test runs the same files through the
interpreter and compares.

Naming scripts (`generate_scripts.py pipelines_qa.py`) records only those and keeps the rest. A
script whose header says "# Recorded with transformers X.Y.Z," needs that release (the
question-answering pipeline left transformers after 5.2.0); under another version its recorded
output is kept. To refresh it:

    REF=/root/apus-ref   # the reference venv (torch, transformers of today)
    $REF/bin/python -m venv /tmp/tf520
    echo $REF/lib/python3.11/site-packages > /tmp/tf520/lib/python3.11/site-packages/ref.pth   # its torch
    /tmp/tf520/bin/pip install transformers==5.2.0 "huggingface-hub<2" "tokenizers<=0.23.0"
    HF_HUB_OFFLINE=1 /tmp/tf520/bin/python Tests/Fixtures/models/generate_scripts.py pipelines_qa.py
"""
import contextlib, glob, io, json, os, re, sys

import transformers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PINNED = re.compile(r"^# Recorded with transformers (\S+),", re.M)


def main():
    os.chdir(ROOT)
    out_path = os.path.join(HERE, "scripts.json")
    previous = json.load(open(out_path)) if os.path.exists(out_path) else {}
    only = set(sys.argv[1:])
    results = {}
    for path in sorted(glob.glob(os.path.join(HERE, "scripts", "*.py"))):
        name = os.path.basename(path)
        pinned = PINNED.search(open(path).read())
        keep = (only and name not in only) or (pinned and pinned.group(1) != transformers.__version__)
        if keep:
            if name in previous:
                results[name] = previous[name]
            if pinned and not only:
                print(f"kept {name}: it is recorded with transformers {pinned.group(1)}")
            continue
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})
            except Exception as e:
                print(f"{type(e).__name__}: {e}")
        results[name] = buf.getvalue()
    with open(out_path, "w") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(len(results), "scripts")


if __name__ == "__main__":
    main()

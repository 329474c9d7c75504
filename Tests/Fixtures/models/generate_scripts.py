"""Records what transformers prints for the model scripts, for the Swift ModelBindingTests.

    HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/generate_scripts.py

Each scripts/*.py is valid Python and valid Apus. It runs here under real Python with
transformers, from the package root (the scripts name the tiny fixtures by relative path; the
real all-MiniLM-L6-v2 comes from $HF_HOME), and its stdout (with "Type: message" of an
uncaught exception) is recorded in scripts.json. The Swift test runs the same files through the
interpreter and compares.
"""
import contextlib, glob, io, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def main():
    os.chdir(ROOT)
    results = {}
    for path in sorted(glob.glob(os.path.join(HERE, "scripts", "*.py"))):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})
            except Exception as e:
                print(f"{type(e).__name__}: {e}")
        results[os.path.basename(path)] = buf.getvalue()
    with open(os.path.join(HERE, "scripts.json"), "w") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(len(results), "scripts")


if __name__ == "__main__":
    main()

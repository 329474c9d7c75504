def risky(kind):
    if kind == 1: raise ValueError("bad value")
    if kind == 2: return {}["missing"]
    if kind == 3: return [][5]
    if kind == 4: return 1 / 0
    if kind == 5: return int("x")
    if kind == 6: return None.attr
    if kind == 7: return undefined_name
    if kind == 8: return "a" + 1
    return "ok"
for k in range(9):
    try:
        print(risky(k))
    except (ValueError, KeyError) as e:
        print(type(e).__name__, e, e.args)
    except LookupError as e:
        print("lookup", type(e).__name__, e)
    except Exception as e:
        print("other", type(e).__name__, e)
    else:
        print("no error")
    finally:
        print("finally", k)
class MyError(Exception):
    def __init__(self, msg, code):
        super().__init__(msg)
        self.code = code
try:
    raise MyError("custom", 42)
except MyError as e:
    print(e, e.code, repr(e), isinstance(e, Exception))
try:
    try:
        raise KeyError("k")
    except KeyError as e:
        raise RuntimeError("wrapped") from e
except RuntimeError as e:
    print(e, type(e.__cause__).__name__, repr(e.__cause__))
def f():
    try:
        return "try"
    finally:
        print("cleanup")
print(f())
try:
    try:
        raise ValueError("inner")
    except ValueError:
        raise
except ValueError as e:
    print("reraised", e)
print(issubclass(ZeroDivisionError, ArithmeticError), issubclass(KeyError, LookupError), issubclass(FileNotFoundError, OSError))
print(repr(ValueError("x", 1)), str(KeyError("k")), str(ValueError()), repr(StopIteration()))
try:
    assert 1 == 2, "math is broken"
except AssertionError as e:
    print("assert:", e)

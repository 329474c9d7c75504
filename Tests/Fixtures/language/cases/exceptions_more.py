def order():
    log = []
    for mode in ["ok", "fail", "return"]:
        try:
            log.append("try " + mode)
            if mode == "fail":
                raise ValueError(mode)
            if mode == "return":
                continue
        except ValueError:
            log.append("except")
        else:
            log.append("else")
        finally:
            log.append("finally")
    return log
print(order())
def finally_overrides():
    try:
        return 1
    finally:
        return 2
print(finally_overrides())
def nested():
    try:
        try:
            raise KeyError("inner")
        finally:
            print("inner finally")
    except LookupError as e:
        print("outer caught", repr(e))
nested()
try:
    try:
        1 / 0
    except ZeroDivisionError:
        undefined_call()
except NameError as e:
    print("during handling:", e, type(e.__context__).__name__)
class ValidationError(ValueError):
    def __init__(self, field, problem):
        super().__init__(f"{field}: {problem}")
        self.field = field
try:
    raise ValidationError("age", "must be positive")
except ValueError as e:
    print(e, e.field, e.args, isinstance(e, ValidationError))
def gen_errors():
    for exc in [TypeError("t"), IndexError("i"), StopIteration, RuntimeError]:
        try:
            raise exc
        except (TypeError, IndexError) as e:
            print("group 1", type(e).__name__)
        except Exception as e:
            print("group 2", type(e).__name__, e.args)
gen_errors()
for cls in [ValueError, KeyError, OSError, RecursionError, NotImplementedError, ModuleNotFoundError, UnboundLocalError, FileNotFoundError]:
    print(cls.__name__, [b.__name__ for b in cls.__mro__])
try:
    raise Exception("a", 1, None)
except Exception as e:
    print(e, repr(e), e.args[1])
try:
    open("/nonexistent/file.txt")
except OSError as e:
    print(type(e).__name__, e.errno, e)
e = ValueError("stored")
print(str(e), e.args, ValueError().args, str(KeyError()))
x = 0
try:
    x = 1
except Exception:
    x = 2
else:
    x += 10
print(x)

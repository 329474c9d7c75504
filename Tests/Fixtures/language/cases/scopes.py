x = "global"
def read_global(): return x
def shadow():
    x = "local"
    return x
def make_closures():
    fs = []
    for i in range(3):
        def f(i=i): return i
        fs.append(f)
    return [g() for g in fs]
def outer():
    y = 1
    def middle():
        def inner():
            return y + 1
        return inner()
    return middle()
print(read_global(), shadow(), x, make_closures(), outer())
def modify():
    global x
    x = "modified"
modify(); print(x)
def counter_pair():
    n = 0
    def inc():
        nonlocal n; n += 1; return n
    def get(): return n
    return inc, get
inc, get = counter_pair(); inc(); inc(); print(get())
class C:
    attr = 5
    doubled = attr * 2
    items = [attr for _ in range(2)]
print(C.doubled, C.items)
def late():
    return later_defined()
def later_defined(): return "late binding ok"
print(late())

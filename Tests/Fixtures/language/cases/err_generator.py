def failing():
    yield 1
    raise RuntimeError("generator failed")
for v in failing():
    print(v)

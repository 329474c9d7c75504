# Method calls and attribute access on user objects.
class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def add(self, o):
        return Vec(self.x + o.x, self.y + o.y)
    def dot(self, o):
        return self.x * o.x + self.y * o.y
def run(n):
    v = Vec(0, 0)
    d = Vec(1, 2)
    s = 0
    for _ in range(n):
        v = v.add(d)
        s += v.dot(d)
    return s
print(run(500_000))

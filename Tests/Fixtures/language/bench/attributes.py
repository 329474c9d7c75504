# Attribute reads and writes on instances, including an attribute update in a method.
class Particle:
    def __init__(self, x, v):
        self.x = x
        self.v = v
        self.hits = 0
    def step(self, dt):
        self.x += self.v * dt
        if self.x > 100.0 or self.x < 0.0:
            self.v = -self.v
            self.hits += 1
def run(n):
    ps = [Particle(float(i), 1.5 + i % 5) for i in range(10)]
    for _ in range(n):
        for p in ps:
            p.step(0.5)
    return sum(p.hits for p in ps), round(sum(p.x for p in ps), 6)
print(run(40_000))

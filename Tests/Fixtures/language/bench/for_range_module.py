# A for loop over range at module scope (globals) with float math.
acc = 0.0
for i in range(2_000_000):
    acc += i * 0.5 - 1.0
print(acc)

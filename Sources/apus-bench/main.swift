print("apus-bench")

/// The Jupyter kernel: messaging protocol 5.5 over ZeroMQ, channels and threads, kernelspec.
public enum KernelModule {}

/// Neural-network building blocks over Tensors: modules, layers, losses, optimizers.
public enum NN {}

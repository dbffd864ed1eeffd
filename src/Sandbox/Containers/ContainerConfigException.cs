namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>A container that cannot be configured (a missing secret or key, runAsNonRoot as root): waiting, reason CreateContainerConfigError.</summary>
public sealed class ContainerConfigException(string message) : Exception(message);

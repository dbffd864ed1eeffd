namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// The control plane refused this silo's own ServiceAccount something a member needs (reading its kubeconfig
/// Secret): reported on the member's Cluster as Forbidden, naming the verb and resource, and retried.
/// </summary>
public sealed class ControlPlaneForbiddenException(string message, Exception inner) : Exception(message, inner);

using k8s;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>Deletes every Ingress this system wrote into a member (the teardown's sweep of what its exports left).</summary>
public delegate Task IngressSweep(IKubernetes client, CancellationToken cancellationToken);

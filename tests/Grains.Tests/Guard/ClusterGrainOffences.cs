namespace ErieCanal.Orleans.Grains.Tests.Guard;

/// <summary>
/// What <c>ClusterGrain</c> does today that a grain must not (as <see cref="GrainScanner"/> reports it): its
/// session, Cluster conditions and Events, and member teardown still run in its turns until its split lands.
/// </summary>
internal static class ClusterGrainOffences
{
    public static readonly string[] Known =
    [
        ".ctor: takes a ControlPlaneConnection",
        ".ctor: takes a MemberClients",
        "RecordEventAsync: calls ControlPlaneConnection.get_Client",
        "RecordEventAsync: calls KubeEvents.RecordAsync",
        "ReleaseClaimAsync: calls ControlPlaneConnection.GetIdentityAsync",
        "ReleaseClaimAsync: calls MemberClaim.ReleaseAsync",
        "ReleaseClaimAsync: calls MemberClients.GetAsync",
        "ReleaseClaimAsync: holds a IKubernetes",
        "ReleaseClaimAsync: holds a TaskAwaiter<IKubernetes>",
        "Remove: calls MemberClients.Invalidate",
        "RemoveIngressesAsync: calls IngressWriter.DeleteAllAsync",
        "RemoveIngressesAsync: calls MemberClients.GetAsync",
        "RemoveIngressesAsync: holds a TaskAwaiter<IKubernetes>",
        "StartSession: calls MemberSession..ctor",
        "Upsert: calls MemberClients.Invalidate",
        "WriteStatusAsync: calls ConditionWriter.WriteAsync",
        "WriteStatusAsync: calls ControlPlaneConnection.get_Client",
        "clients: holds a MemberClients",
        "controlPlane: holds a ControlPlaneConnection",
    ];
}

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>What one operation does to a member's objects.</summary>
public enum OperationKind
{
    /// <summary>A Deployment and the Service in front of it.</summary>
    CreateService,

    /// <summary>The Service's session affinity flipped (None ↔ ClientIP): exports of it may now disagree.</summary>
    UpdateService,

    /// <summary>The Service and its Deployment deleted.</summary>
    DeleteService,

    /// <summary>The Deployment scaled (0 replicas: the service has no ready endpoint there).</summary>
    ScaleDeployment,

    CreateExport,

    /// <summary>The export's path or targetClusters changed.</summary>
    UpdateExport,

    DeleteExport,

    CreatePolicy,

    /// <summary>The GlobalTrafficPolicy's lbType, targets or weights changed.</summary>
    UpdatePolicy,

    DeletePolicy,

    /// <summary>A multicluster.x-k8s.io ServiceExport of the Service (KEP-1645: imported everywhere, union of clusters).</summary>
    CreateMcsExport,

    DeleteMcsExport,
}

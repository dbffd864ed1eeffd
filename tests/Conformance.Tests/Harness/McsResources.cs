namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// The names kubectl is given for the MCS API kinds and labels. Fully qualified, because flomesh.io also serves
/// ServiceExport and ServiceImport kinds in the same clusters and a short plural would be ambiguous.
/// </summary>
public static class McsResources
{
    public const string ServiceExports = "serviceexports.v1beta1.multicluster.x-k8s.io";

    public const string ServiceImports = "serviceimports.v1beta1.multicluster.x-k8s.io";

    public const string EndpointSlices = "endpointslices.v1.discovery.k8s.io";

    /// <summary>v1beta1.LabelServiceName.</summary>
    public const string LabelServiceName = "multicluster.kubernetes.io/service-name";

    /// <summary>v1beta1.LabelSourceCluster.</summary>
    public const string LabelSourceCluster = "multicluster.kubernetes.io/source-cluster";

    /// <summary>discoveryv1.LabelServiceName (the Kubernetes EndpointSlice controller's).</summary>
    public const string K8sLabelServiceName = "kubernetes.io/service-name";

    /// <summary>discoveryv1.LabelManagedBy.</summary>
    public const string LabelManagedBy = "endpointslice.kubernetes.io/managed-by";

    /// <summary>K8sEndpointSliceManagedByName: the managed-by value an MCS EndpointSlice must not carry.</summary>
    public const string K8sEndpointSliceManagedByName = "endpointslice-controller.k8s.io";
}

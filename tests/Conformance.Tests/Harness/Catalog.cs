namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// Every upstream spec the port carries (plan §6.2), with the Specify text as Ginkgo prints it (Context texts joined)
/// and the labels; the cases (Pending/ until their features land) and the report name them from here.
/// </summary>
public static class Catalog
{
    private const string Si = "service_import.go";
    private const string Dns = "clusterip_service_dns.go";
    private const string Headless = "headless_service_dns.go";

    public static readonly ConformanceCase C01 = new("C01", "A ServiceImport should only exist as long as there's at least one exporting cluster", Si, "Required");
    public static readonly ConformanceCase C02 = new("C02", "Only labels and annotations specified as exported in the ServiceExport should be propagated to the ServiceImport", Si, "Optional", "ExportedLabels");
    public static readonly ConformanceCase C03 = new("C03", "A service exported on two clusters with conflicting annotations and labels should apply the conflict resolution policy and report a Conflict condition on each ServiceExport", Si, "Optional", "ExportedLabels");
    public static readonly ConformanceCase C04 = new("C04", "Exporting a ClusterIP service should create a ServiceImport of type ClusterSetIP in the service's namespace in each cluster. Unexporting should delete the ServiceImport", Si, "Required");
    public static readonly ConformanceCase C05 = new("C05", "The SessionAffinity for a ClusterSetIP ServiceImport should match the exported service's SessionAffinity", Si, "Required");
    public static readonly ConformanceCase C06 = new("C06", "The InternalTrafficPolicy for a ClusterSetIP ServiceImport should match the exported service's InternalTrafficPolicy", Si, "Required");
    public static readonly ConformanceCase C07 = new("C07", "The TrafficDistribution for a ClusterSetIP ServiceImport should match the exported service's TrafficDistribution", Si, "Required");
    public static readonly ConformanceCase C08 = new("C08", "An IP should be allocated for a ClusterSetIP ServiceImport for each IP family", Si, "Required");
    public static readonly ConformanceCase C09 = new("C09", "The ports for a ClusterSetIP ServiceImport should match those of the exported service", Si, "Required");
    public static readonly ConformanceCase C10 = new("C10", "A ClusterIP service exported on two clusters should expose the union of the constituent service ports and raise a conflict", Si, "Required");
    public static readonly ConformanceCase C11 = new("C11", "A ClusterIP service exported on two clusters with conflicting ports should apply the conflict resolution policy and report a Conflict condition on each ServiceExport", Si, "Required");
    public static readonly ConformanceCase C12 = new("C12", "Exporting a headless service should create a ServiceImport of type Headless in the service's namespace in each cluster. Unexporting should delete the ServiceImport", Si, "Required");
    public static readonly ConformanceCase C13 = new("C13", "No clusterset IP should be allocated for a Headless ServiceImport", Si, "Required");
    public static readonly ConformanceCase C14 = new("C14", "Exporting an ExternalName service should set ServiceExport Valid condition to False", Si, "Required");
    public static readonly ConformanceCase C15 = new("C15", "A service exported on two clusters with conflicting headlessness should apply the conflict resolution policy and report a Conflict condition on the ServiceExport", Si, "Required");
    public static readonly ConformanceCase C16 = new("C16", "Exporting a service should create an MCS EndpointSlice in the service's namespace in each cluster with the required MCS labels. Unexporting should delete the EndpointSlice.", "endpoint_slice.go", "Optional", "EndpointSlice");
    public static readonly ConformanceCase D01 = new("D01", "A DNS lookup of the <service>.<ns>.svc.clusterset.local domain for a ClusterIP service should resolve to the clusterset IP", Dns, "Optional", "DNS", "ClusterIP");
    public static readonly ConformanceCase D02 = new("D02", "A DNS SRV query of the <service>.<ns>.svc.clusterset.local domain for a ClusterIP service should return valid SRV records", Dns, "Optional", "DNS", "ClusterIP");
    public static readonly ConformanceCase D03 = new("D03", "DNS lookups of the <service>.<ns>.svc.cluster.local domain for a ClusterIP service should only resolve local services", Dns, "Optional", "DNS", "ClusterIP");
    public static readonly ConformanceCase D04 = new("D04", "A DNS query of the <service>.<ns>.svc.clusterset.local domain for a headless service should return the ready endpoint addresses of all the backing pods", Headless, "Optional", "DNS", "Headless");
    public static readonly ConformanceCase D05 = new("D05", "A DNS query of the <hostname>.<clusterid>.<service>.<ns>.svc.clusterset.local domain for a headless StatefulSet service should return the requested pod's endpoint address", Headless, "Optional", "DNS", "Headless", "EndpointSlice");
    public static readonly ConformanceCase D06 = new("D06", "A DNS SRV query of the <service>.<ns>.svc.clusterset.local domain for a headless service should return valid SRV records", Headless, "Optional", "DNS", "Headless");
    public static readonly ConformanceCase K01 = new("K01", "Connectivity to a service that is not exported should be inaccessible", "connectivity.go", "Required", "Connectivity");
    public static readonly ConformanceCase K02 = new("K02", "Connectivity to an exported ClusterIP service should be accessible through DNS", "connectivity.go", "Optional", "Connectivity", "ClusterIP");
    public static readonly ConformanceCase K03 = new("K03", "Connectivity to a ClusterIP service existing in two clusters but exported from one should only access the exporting cluster", "connectivity.go", "Optional", "Connectivity", "ClusterIP");
    public static readonly ConformanceCase K04 = new("K04", "Connectivity to exported services with same port name but different port numbers on each cluster should only route traffic to the cluster that exposes the port", "connectivity.go", "Optional", "Connectivity", "ClusterIP", "StrictPortConflict");
    public static readonly ConformanceCase K05 = new("K05", "Connectivity to exported services with different port name on each cluster should route traffic to each port only to the cluster that exposes it", "connectivity.go", "Optional", "Connectivity", "ClusterIP", "StrictPortConflict");
}

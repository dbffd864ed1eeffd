using System.Text.Json.Nodes;
using static ErieCanal.Orleans.Sandbox.Printing.JsonFields;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Built-in kinds' printers (pkg/printers/internalversion), keyed by group and kind.</summary>
internal static class BuiltInPrinters
{
    private static readonly KindPrinter Namespace = new(
        [StandardColumns.Name, StandardColumns.Text("Status", "The status of the namespace"), StandardColumns.Age],
        (ns, now) => [NameOf(ns), StrOr("", ns, "status", "phase"), AgeOf(ns, now)]);

    private static readonly KindPrinter Deployment = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Ready", "Number of the pod with ready state"),
            StandardColumns.Text("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            StandardColumns.Text("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            StandardColumns.Age,
            StandardColumns.Text("Containers", "Names of each container in the template.", 1),
            StandardColumns.Text("Images", "Images referenced by each container in the template.", 1),
            StandardColumns.Text("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
        ],
        (d, now) =>
        {
            var containers = Items(d, "spec", "template", "spec", "containers").ToList();
            return
            [
                NameOf(d),
                // spec.replicas is defaulted to 1 by a real server, so an absent value means 1.
                $"{Long(d, "status", "readyReplicas") ?? 0}/{Long(d, "spec", "replicas") ?? 1}",
                Long(d, "status", "updatedReplicas") ?? 0,
                Long(d, "status", "availableReplicas") ?? 0,
                AgeOf(d, now),
                string.Join(",", containers.Select(c => Str(c, "name"))),
                string.Join(",", containers.Select(c => Str(c, "image"))),
                LabelFormatting.FormatSelector(At(d, "spec", "selector")),
            ];
        });

    private static readonly KindPrinter ReplicaSet = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Desired", "Number of desired pods."),
            StandardColumns.Text("Current", "Number of actual replicas."),
            StandardColumns.Text("Ready", "Number of pods that are ready."),
            StandardColumns.Age,
            StandardColumns.Text("Containers", "Names of each container in the template.", 1),
            StandardColumns.Text("Images", "Images referenced by each container in the template.", 1),
            StandardColumns.Text("Selector", "Label selector for pods.", 1),
        ],
        (rs, now) =>
        {
            var containers = Items(rs, "spec", "template", "spec", "containers").ToList();
            return
            [
                NameOf(rs),
                Long(rs, "spec", "replicas") ?? 1,
                Long(rs, "status", "replicas") ?? 0,
                Long(rs, "status", "readyReplicas") ?? 0,
                AgeOf(rs, now),
                string.Join(",", containers.Select(c => Str(c, "name"))),
                string.Join(",", containers.Select(c => Str(c, "image"))),
                LabelFormatting.FormatSelector(At(rs, "spec", "selector")),
            ];
        });

    private static readonly KindPrinter ConfigMap = new(
        [StandardColumns.Name, StandardColumns.Text("Data", "Data contains the configuration data."), StandardColumns.Age],
        (cm, now) => [NameOf(cm), (long)(Count(cm, "data") + Count(cm, "binaryData")), AgeOf(cm, now)]);

    private static readonly KindPrinter Secret = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Type", "Used to facilitate programmatic handling of secret data."),
            StandardColumns.Text("Data", "Data contains the secret data."),
            StandardColumns.Age,
        ],
        (s, now) => [NameOf(s), StrOr("Opaque", s, "type"), (long)Count(s, "data"), AgeOf(s, now)]);

    private static readonly KindPrinter Lease = new(
        [StandardColumns.Name, StandardColumns.Text("Holder", "holderIdentity contains the identity of the holder of a current lease."), StandardColumns.Age],
        (l, now) => [NameOf(l), StrOr("", l, "spec", "holderIdentity"), AgeOf(l, now)]);

    // Served by the generic default convertor: the raw RFC3339 timestamp, which kubectl prints verbatim.
    private static readonly KindPrinter CustomResourceDefinition = new(
        [StandardColumns.Name, new PrinterColumn("Created At", "date", ".metadata.creationTimestamp", null, StandardColumns.CreationTimestampDescription)],
        (crd, _) => [NameOf(crd), Timestamps.ToRfc3339(Str(crd, "metadata", "creationTimestamp"))]);

    private static readonly KindPrinter Default = new(
        [StandardColumns.Name, StandardColumns.Age],
        (o, now) => [NameOf(o), AgeOf(o, now)]);

    public static KindPrinter For(string group, string kind) => (group, kind) switch
    {
        ("", "Namespace") => Namespace,
        ("", "Pod") => PodPrinter.Printer,
        ("", "Service") => NetworkPrinters.Service,
        ("", "Endpoints") => NetworkPrinters.Endpoints,
        ("", "ConfigMap") => ConfigMap,
        ("", "Secret") => Secret,
        ("" or "events.k8s.io", "Event") => EventPrinter.Printer,
        ("discovery.k8s.io", "EndpointSlice") => NetworkPrinters.EndpointSlice,
        ("networking.k8s.io", "Ingress") => IngressPrinters.Ingress,
        ("networking.k8s.io", "IngressClass") => IngressPrinters.IngressClass,
        ("apps", "Deployment") => Deployment,
        ("apps", "ReplicaSet") => ReplicaSet,
        ("apps", "StatefulSet") => WorkloadPolicyPrinters.StatefulSet,
        ("apps", "ControllerRevision") => WorkloadPolicyPrinters.ControllerRevision,
        ("policy", "PodDisruptionBudget") => WorkloadPolicyPrinters.PodDisruptionBudget,
        ("", "PersistentVolumeClaim") => WorkloadPolicyPrinters.PersistentVolumeClaim,
        ("", "ServiceAccount") => WorkloadPolicyPrinters.ServiceAccount,
        ("rbac.authorization.k8s.io", "Role" or "ClusterRole") => WorkloadPolicyPrinters.Role,
        ("rbac.authorization.k8s.io", "RoleBinding" or "ClusterRoleBinding") => WorkloadPolicyPrinters.RoleBinding,
        ("coordination.k8s.io", "Lease") => Lease,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => CustomResourceDefinition,
        _ => Default,
    };

    internal static string NameOf(JsonNode o) => StrOr("", o, "metadata", "name");

    internal static string AgeOf(JsonNode o, DateTimeOffset now) => HumanDuration.Since(Str(o, "metadata", "creationTimestamp"), now);
}

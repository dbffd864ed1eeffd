using System.Text.Json.Nodes;
using static ErieCanal.Orleans.Sandbox.Printing.BuiltInPrinters;
using static ErieCanal.Orleans.Sandbox.Printing.JsonFields;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>
/// kubectl's columns (pkg/printers/internalversion) for the StatefulSet, PodDisruptionBudget, PersistentVolumeClaim,
/// ServiceAccount, ControllerRevision and RBAC kinds.
/// </summary>
internal static class WorkloadPolicyPrinters
{
    public static readonly KindPrinter StatefulSet = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Ready", "Number of the pod with ready state"),
            StandardColumns.Age,
            StandardColumns.Text("Containers", "Names of each container in the template.", 1),
            StandardColumns.Text("Images", "Images referenced by each container in the template.", 1),
        ],
        (s, now) =>
        {
            var containers = Items(s, "spec", "template", "spec", "containers").ToList();
            return
            [
                NameOf(s),
                $"{Long(s, "status", "readyReplicas") ?? 0}/{Long(s, "spec", "replicas") ?? 1}",
                AgeOf(s, now),
                string.Join(",", containers.Select(c => Str(c, "name"))),
                string.Join(",", containers.Select(c => Str(c, "image"))),
            ];
        });

    public static readonly KindPrinter PodDisruptionBudget = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Min Available", "The minimum number of pods that must be available."),
            StandardColumns.Text("Max Unavailable", "The maximum number of pods that may be unavailable."),
            StandardColumns.Text("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
            StandardColumns.Age,
        ],
        (b, now) =>
        [
            NameOf(b),
            At(b, "spec", "minAvailable") is { } min ? ToText(min) : "N/A",
            At(b, "spec", "maxUnavailable") is { } max ? ToText(max) : "N/A",
            Long(b, "status", "disruptionsAllowed") ?? 0,
            AgeOf(b, now),
        ]);

    public static readonly KindPrinter PersistentVolumeClaim = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Status", "Status of the PersistentVolumeClaim."),
            StandardColumns.Text("Volume", "The PersistentVolume bound to this claim."),
            StandardColumns.Text("Capacity", "The capacity of the bound volume."),
            StandardColumns.Text("Access Modes", "The access modes of the bound volume."),
            StandardColumns.Text("StorageClass", "The StorageClass of the claim."),
            StandardColumns.Text("VolumeAttributesClass", "The VolumeAttributesClass of the claim."),
            StandardColumns.Age,
            StandardColumns.Text("VolumeMode", "The volume mode of the claim.", 1),
        ],
        (c, now) =>
        [
            NameOf(c),
            StrOr("", c, "status", "phase"),
            StrOr("", c, "spec", "volumeName"),
            StrOr("", c, "status", "capacity", "storage"),
            string.Join(",", Items(c, "status", "accessModes").Select(m => ToText(m!) switch
            {
                "ReadWriteOnce" => "RWO",
                "ReadOnlyMany" => "ROX",
                "ReadWriteMany" => "RWX",
                "ReadWriteOncePod" => "RWOP",
                var other => other,
            })),
            StrOr("<unset>", c, "spec", "storageClassName"),
            StrOr("<unset>", c, "spec", "volumeAttributesClassName"),
            AgeOf(c, now),
            StrOr("<unset>", c, "spec", "volumeMode"),
        ]);

    public static readonly KindPrinter ServiceAccount = new(
        [StandardColumns.Name, StandardColumns.Text("Secrets", "Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount."), StandardColumns.Age],
        (sa, now) => [NameOf(sa), (long)Count(sa, "secrets"), AgeOf(sa, now)]);

    public static readonly KindPrinter ControllerRevision = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Controller", "Controller of the object."),
            StandardColumns.Text("Revision", "Revision of the ControllerRevision."),
            StandardColumns.Age,
        ],
        (r, now) =>
        {
            var owner = Items(r, "metadata", "ownerReferences").FirstOrDefault(o => Bool(o, "controller") == true);
            var group = (Str(owner, "apiVersion") ?? "").Split('/') is [var g, _] ? "." + g : "";
            return [NameOf(r), owner is null ? "<none>" : $"{Str(owner, "kind")!.ToLowerInvariant()}{group}/{Str(owner, "name")}", Long(r, "revision") ?? 0, AgeOf(r, now)];
        });

    // As for CRDs: the raw RFC3339 timestamp, which kubectl prints verbatim.
    public static readonly KindPrinter Role = new(
        [StandardColumns.Name, new PrinterColumn("Created At", "date", ".metadata.creationTimestamp", null, StandardColumns.CreationTimestampDescription)],
        (r, _) => [NameOf(r), Timestamps.ToRfc3339(Str(r, "metadata", "creationTimestamp"))]);

    public static readonly KindPrinter RoleBinding = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Role", "Role of the binding."),
            StandardColumns.Age,
            StandardColumns.Text("Users", "Users in the binding.", 1),
            StandardColumns.Text("Groups", "Groups in the binding.", 1),
            StandardColumns.Text("ServiceAccounts", "ServiceAccounts in the binding.", 1),
        ],
        (b, now) =>
        {
            var subjects = Items(b, "subjects").ToList();
            string Of(string kind, Func<JsonNode?, string> text) => string.Join(", ", subjects.Where(s => Str(s, "kind") == kind).Select(text));
            return
            [
                NameOf(b),
                $"{Str(b, "roleRef", "kind")}/{Str(b, "roleRef", "name")}",
                AgeOf(b, now),
                Of("User", s => Str(s, "name") ?? ""),
                Of("Group", s => Str(s, "name") ?? ""),
                Of("ServiceAccount", s => $"{Str(s, "namespace")}/{Str(s, "name")}"),
            ];
        });
}

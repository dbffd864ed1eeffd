namespace ErieCanal.Orleans.Sandbox.Resources;

/// <summary>The built-in kinds every sandbox cluster serves.</summary>
public static class BuiltinResources
{
    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Core("Namespace", "namespaces", namespaced: false, status: true, "ns"),
        Core("Service", "services", namespaced: true, status: true, "svc"),
        Core("Endpoints", "endpoints", namespaced: true, status: false, "ep"),
        Core("Pod", "pods", namespaced: true, status: true, "po"),
        Core("ConfigMap", "configmaps", namespaced: true, status: false, "cm"),
        Core("Secret", "secrets", namespaced: true, status: false),
        Core("Event", "events", namespaced: true, status: false, "ev"),
        Core("ServiceAccount", "serviceaccounts", namespaced: true, status: false, "sa") with
        {
            ExtraSubresources = [("token", "TokenRequest", "authentication.k8s.io", ["create"])],
        },
        Core("PersistentVolumeClaim", "persistentvolumeclaims", namespaced: true, status: true, "pvc"),
        new ResourceType
        {
            Group = "apps", Version = "v1", Kind = "Deployment", Plural = "deployments", Singular = "deployment",
            ShortNames = ["deploy"], Categories = ["all"], HasStatus = true,
            Scale = new ScaleSubresource(".spec.replicas", ".status.replicas", ".status.selector"),
        },
        new ResourceType
        {
            Group = "apps", Version = "v1", Kind = "ReplicaSet", Plural = "replicasets", Singular = "replicaset",
            ShortNames = ["rs"], Categories = ["all"], HasStatus = true,
            Scale = new ScaleSubresource(".spec.replicas", ".status.replicas", ".status.selector"),
        },
        new ResourceType
        {
            Group = "apps", Version = "v1", Kind = "StatefulSet", Plural = "statefulsets", Singular = "statefulset",
            ShortNames = ["sts"], Categories = ["all"], HasStatus = true,
            Scale = new ScaleSubresource(".spec.replicas", ".status.replicas", ".status.selector"),
        },
        new ResourceType
        {
            Group = "apps", Version = "v1", Kind = "ControllerRevision", Plural = "controllerrevisions", Singular = "controllerrevision",
        },
        new ResourceType
        {
            Group = "policy", Version = "v1", Kind = "PodDisruptionBudget", Plural = "poddisruptionbudgets",
            Singular = "poddisruptionbudget", ShortNames = ["pdb"], HasStatus = true,
        },
        Rbac("Role", "roles", namespaced: true),
        Rbac("ClusterRole", "clusterroles", namespaced: false),
        Rbac("RoleBinding", "rolebindings", namespaced: true),
        Rbac("ClusterRoleBinding", "clusterrolebindings", namespaced: false),
        Review("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", namespaced: false),
        Review("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", namespaced: false),
        Review("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", namespaced: false),
        Review("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", namespaced: true),
        Review("authentication.k8s.io", "TokenReview", "tokenreviews", namespaced: false),
        Review("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", namespaced: false),
        new ResourceType
        {
            Group = "discovery.k8s.io", Version = "v1", Kind = "EndpointSlice", Plural = "endpointslices",
            Singular = "endpointslice",
        },
        new ResourceType
        {
            Group = "networking.k8s.io", Version = "v1", Kind = "Ingress", Plural = "ingresses", Singular = "ingress",
            ShortNames = ["ing"], HasStatus = true,
        },
        new ResourceType
        {
            Group = "networking.k8s.io", Version = "v1", Kind = "IngressClass", Plural = "ingressclasses",
            Singular = "ingressclass", Namespaced = false,
        },
        new ResourceType
        {
            Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Singular = "lease",
        },
        new ResourceType
        {
            Group = "apiextensions.k8s.io", Version = "v1", Kind = "CustomResourceDefinition",
            Plural = "customresourcedefinitions", Singular = "customresourcedefinition", Namespaced = false,
            ShortNames = ["crd", "crds"], Categories = ["api-extensions"], HasStatus = true,
        },
    ];

    private static ResourceType Rbac(string kind, string plural, bool namespaced) => new()
    {
        Group = "rbac.authorization.k8s.io",
        Version = "v1",
        Kind = kind,
        Plural = plural,
        Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced,
    };

    /// <summary>A kind that is only ever created and answered, never stored (access and token reviews).</summary>
    private static ResourceType Review(string group, string kind, string plural, bool namespaced) => new()
    {
        Group = group,
        Version = "v1",
        Kind = kind,
        Plural = plural,
        Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced,
        Verbs = ["create"],
    };

    private static ResourceType Core(string kind, string plural, bool namespaced, bool status, params string[] shortNames) => new()
    {
        Group = "",
        Version = "v1",
        Kind = kind,
        Plural = plural,
        Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced,
        HasStatus = status,
        ShortNames = shortNames,
        Categories = kind is "Pod" or "Service" ? ["all"] : [],
    };
}

using k8s.Models;

namespace ErieCanal.Orleans.Sandbox.Tests.Infrastructure;

/// <summary>Small builders for the objects the tests write.</summary>
public static class Objects
{
    /// <summary>The ConfigMap kube-controller-manager publishes in every namespace (the cluster CA), as the sandbox does.</summary>
    public const string RootCa = "kube-root-ca.crt";

    /// <summary>The names of the test's own ConfigMaps: every namespace of a real cluster also holds <see cref="RootCa"/>.</summary>
    public static IEnumerable<string> OwnNames(IEnumerable<V1ConfigMap> items) =>
        items.Select(i => i.Metadata.Name).Where(n => n != RootCa);

    public static V1ConfigMap ConfigMap(string name, string ns = "default", IDictionary<string, string>? labels = null, string value = "v") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Data = new Dictionary<string, string> { ["key"] = value },
    };

    public static V1Namespace Namespace(string name) => new() { Metadata = new V1ObjectMeta { Name = name } };

    public static V1Deployment Deployment(string name, string ns, int replicas, string app) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
                Spec = new V1PodSpec
                {
                    Containers = [new V1Container { Name = "main", Image = "example/app:1", Ports = [new V1ContainerPort { ContainerPort = 8080 }] }],
                },
            },
        },
    };

    public static V1Service Service(string name, string ns, string app, int port = 8080) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string> { ["app"] = app },
            Ports = [new V1ServicePort { Port = port, TargetPort = port, Protocol = "TCP" }],
        },
    };
}

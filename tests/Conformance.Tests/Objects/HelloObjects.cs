using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Conformance.Tests.Objects;

/// <summary>
/// The suite's objects (k8s_objects.go), field for field, as the JSON kubectl is given (<c>kubectl create -f -</c>).
/// Each call returns a fresh object, so a case changes its copy as the Go cases change theirs in BeforeEach.
/// </summary>
public static class HelloObjects
{
    public const string HelloServiceName = "hello";

    public const string RequestPodName = "request";

    public const string NetshootImage = "nicolaka/netshoot:v0.15";

    public const string SocatImage = "alpine/socat:1.7.4.4";

    /// <summary>newHelloService: ports tcp/udp 42, ClientIP affinity (timeout 10), PreferDualStack, dummy-svc annotation and label.</summary>
    public static JsonObject Service() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject
        {
            ["name"] = HelloServiceName,
            ["annotations"] = new JsonObject { ["dummy-svc"] = "dummy" },
            ["labels"] = new JsonObject { ["dummy-svc"] = "dummy" },
        },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["app"] = HelloServiceName },
            ["ports"] = new JsonArray(Port("tcp", 42, "TCP"), Port("udp", 42, "UDP")),
            ["sessionAffinity"] = "ClientIP",
            ["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = 10 } },
            ["ipFamilyPolicy"] = "PreferDualStack",
        },
    };

    /// <summary>A service port as the cases write them (name, port, protocol).</summary>
    public static JsonObject Port(string name, int port, string protocol) => new() { ["name"] = name, ["port"] = port, ["protocol"] = protocol };

    /// <summary>A service port with its targetPort (<c>intstr.FromInt32</c>).</summary>
    public static JsonObject Port(string name, int port, string protocol, int targetPort) => new() { ["name"] = name, ["port"] = port, ["protocol"] = protocol, ["targetPort"] = targetPort };

    /// <summary>newHelloServiceExport: the multicluster.x-k8s.io/v1beta1 ServiceExport, dummy-svcexport annotation and label.</summary>
    public static JsonObject ServiceExport() => new()
    {
        ["apiVersion"] = "multicluster.x-k8s.io/v1beta1",
        ["kind"] = "ServiceExport",
        ["metadata"] = new JsonObject
        {
            ["name"] = HelloServiceName,
            ["annotations"] = new JsonObject { ["dummy-svcexport"] = "dummy" },
            ["labels"] = new JsonObject { ["dummy-svcexport"] = "dummy" },
        },
    };

    /// <summary>podContainers: hello-tcp and hello-udp, the socat listener script, MY_POD_IPS from status.podIPs.</summary>
    public static JsonArray PodContainers() => new(Container("hello-tcp", "TCP"), Container("hello-udp", "UDP"));

    /// <summary>newHelloDeployment: one replica of the hello containers, app=hello.</summary>
    public static JsonObject Deployment() => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = HelloServiceName },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = HelloServiceName } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = HelloServiceName } },
                ["spec"] = new JsonObject { ["containers"] = PodContainers() },
            },
        },
    };

    /// <summary>newStatefulSet: hello-ss, serviceName hello, the hello containers, restartPolicy Always.</summary>
    public static JsonObject StatefulSet(int replicas) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "StatefulSet",
        ["metadata"] = new JsonObject { ["name"] = HelloServiceName + "-ss" },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = HelloServiceName } },
            ["serviceName"] = HelloServiceName,
            ["replicas"] = replicas,
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = HelloServiceName } },
                ["spec"] = new JsonObject { ["containers"] = PodContainers(), ["restartPolicy"] = "Always" },
            },
        },
    };

    /// <summary>newRequestPod: the netshoot pod every cluster runs, printing a dot every 5 s, where the suite execs its commands.</summary>
    public static JsonObject RequestPod() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = RequestPodName, ["labels"] = new JsonObject { ["app"] = "request" } },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "request",
                ["image"] = NetshootImage,
                ["args"] = new JsonArray("/bin/sh", "-ec", "while :; do echo '.'; sleep 5 ; done"),
            }),
        },
    };

    private static JsonObject Container(string name, string protocol) => new()
    {
        ["name"] = name,
        ["image"] = SocatImage,
        ["command"] = new JsonArray("/bin/sh"),
        ["args"] = new JsonArray("-c", SocatListenerScript.For(protocol)),
        ["env"] = new JsonArray(new JsonObject
        {
            ["name"] = "MY_POD_IPS",
            ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "status.podIPs" } },
        }),
    };
}

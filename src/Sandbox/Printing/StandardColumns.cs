namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Column definitions shared by most printers, with the ObjectMeta swagger descriptions a real server sends.</summary>
internal static class StandardColumns
{
    public const string NameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public const string CreationTimestampDescription = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public static readonly PrinterColumn Name = new("Name", "string", ".metadata.name", "name", NameDescription);

    public static readonly PrinterColumn Age = new("Age", "string", ".metadata.creationTimestamp", null, CreationTimestampDescription);

    public static PrinterColumn Text(string name, string description, int priority = 0) =>
        new(name, "string", "", null, description, priority);
}

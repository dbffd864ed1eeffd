namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// The seeded operation stream. It keeps the objects it has made (per member and service) only to choose between
/// create, update and delete; the final check reads the members' objects, not this model. The choices depend on
/// the seed and on which members are writable at that point of the fault schedule, never on timing, so a seed
/// always produces the same operations.
/// </summary>
public sealed class Workload(int seed, int services)
{
    private static readonly int?[] Weights = [null, 0, 50, 100, 200];

    private readonly Random _random = new(seed);
    private readonly Dictionary<(string Member, string Service), Slot> _slots = [];

    public Operation Next(int index, IReadOnlyList<string> writableMembers)
    {
        var member = writableMembers[_random.Next(writableMembers.Count)];
        var service = ChaosSettings.ServiceName(_random.Next(services));
        var slot = SlotOf(member, service);
        var roll = _random.NextDouble();
        var delete = _random.NextDouble() < 0.3;
        var operation = roll switch
        {
            < 0.3 => !slot.Service
                ? NewService(index, member, service)
                : delete ? new Operation(index, OperationKind.DeleteService, member, service)
                : new Operation(index, OperationKind.UpdateService, member, service) { SessionAffinity = slot.Affinity == "None" ? "ClientIP" : "None" },
            < 0.5 => slot.Service
                ? new Operation(index, OperationKind.ScaleDeployment, member, service) { Replicas = _random.Next(3) }
                : NewService(index, member, service),
            < 0.7 => !slot.Export
                ? ExportOperation(OperationKind.CreateExport, index, member, service)
                : delete ? new Operation(index, OperationKind.DeleteExport, member, service)
                : ExportOperation(OperationKind.UpdateExport, index, member, service),

            // The standard API beside flomesh.io, on the same Services: an MCS export is made or removed.
            < 0.8 => new Operation(index, slot.McsExport ? OperationKind.DeleteMcsExport : OperationKind.CreateMcsExport, member, service),
            _ => !slot.Policy
                ? new Operation(index, OperationKind.CreatePolicy, member, service) { Policy = NewPolicy(member) }
                : delete ? new Operation(index, OperationKind.DeletePolicy, member, service)
                : new Operation(index, OperationKind.UpdatePolicy, member, service) { Policy = NewPolicy(member) },
        };
        Record(operation);
        return operation;
    }

    private Operation NewService(int index, string member, string service) =>
        new(index, OperationKind.CreateService, member, service)
        {
            Replicas = 1 + _random.Next(2),

            // Mostly None: a ClientIP export now and then disagrees with the others (SessionAffinityConflict).
            SessionAffinity = _random.NextDouble() < 0.2 ? "ClientIP" : "None",
        };

    private Operation ExportOperation(OperationKind kind, int index, string member, string service)
    {
        var path = _random.NextDouble() < 0.5 ? $"/{service}" : $"/{service}/v2";
        IReadOnlyList<string> targets = [];
        if (_random.NextDouble() < 0.3)
        {
            var shuffled = ChaosSettings.Members.ToArray();
            _random.Shuffle(shuffled);
            targets = shuffled[..(1 + _random.Next(2))];
        }

        return new Operation(index, kind, member, service) { Path = path, TargetClusters = targets };
    }

    private PolicyChoice NewPolicy(string member)
    {
        var others = ChaosSettings.Members.Where(m => m != member).ToArray();
        _random.Shuffle(others);
        var all = ChaosSettings.Members.ToArray();
        _random.Shuffle(all);
        return _random.Next(3) switch
        {
            0 => new PolicyChoice("Locality", _random.NextDouble() < 0.5 ? [] : [(Key(all[0]), null)]),
            1 => new PolicyChoice("ActiveActive", [.. all[.._random.Next(all.Length + 1)].Select(m => (Key(m), Weights[_random.Next(Weights.Length)]))]),
            _ => new PolicyChoice("FailOver", [.. others[..(1 + _random.Next(others.Length))].Select(m => (Key(m), Weights[_random.Next(Weights.Length)]))]),
        };
    }

    public static string Key(string member) => $"default/default/default/{member}";

    private void Record(Operation operation)
    {
        var slot = SlotOf(operation.Member, operation.Service);
        switch (operation.Kind)
        {
            case OperationKind.CreateService:
                slot.Service = true;
                slot.Affinity = operation.SessionAffinity;
                break;
            case OperationKind.UpdateService:
                slot.Affinity = operation.SessionAffinity;
                break;
            case OperationKind.DeleteService:
                slot.Service = false;
                break;
            case OperationKind.CreateExport:
                slot.Export = true;
                break;
            case OperationKind.DeleteExport:
                slot.Export = false;
                break;
            case OperationKind.CreatePolicy:
                slot.Policy = true;
                break;
            case OperationKind.CreateMcsExport:
                slot.McsExport = true;
                break;
            case OperationKind.DeleteMcsExport:
                slot.McsExport = false;
                break;
            case OperationKind.DeletePolicy:
                slot.Policy = false;
                break;
        }
    }

    private Slot SlotOf(string member, string service)
    {
        if (!_slots.TryGetValue((member, service), out var slot))
        {
            slot = new Slot();
            _slots[(member, service)] = slot;
        }

        return slot;
    }

    private sealed class Slot
    {
        public bool Service { get; set; }

        public string Affinity { get; set; } = "None";

        public bool Export { get; set; }

        public bool Policy { get; set; }

        public bool McsExport { get; set; }
    }
}

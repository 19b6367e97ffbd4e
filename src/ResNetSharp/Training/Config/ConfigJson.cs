using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ResNetSharp.Training;

/// <summary>
/// A <see cref="TrainingConfig"/> as JSON: camelCase, one object per section, enums as camelCase strings,
/// unknown properties refused. Files written before the config had sections (every property at the top
/// level) are read too: each old property moves into its section.
/// </summary>
public static class ConfigJson
{
    /// <summary>The serializer options every config read and write uses.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>The config as indented JSON.</summary>
    public static string Write(TrainingConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>Parses and validates; problems are <see cref="FormatException"/>s naming <paramref name="source"/> and the property.</summary>
    public static TrainingConfig Read(string json, string source)
    {
        var config = FromNode(Parse(json, source), source);
        try
        {
            return config.Validate();
        }
        catch (ConfigException e)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>
    /// A config file's JSON object, with the properties of the flat format moved into their sections; not
    /// yet checked against the record (see <see cref="FromNode"/>). Anything but an object is a <see cref="FormatException"/>.
    /// </summary>
    public static JsonObject Parse(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: invalid training config{(e.Path is null ? "" : " at " + e.Path)}: {e.Message}", e);
        }
        if (node is not JsonObject root)
            throw new FormatException($"{source}: a training config is a JSON object; got {(node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant())}.");
        MoveFlatProperties(root);
        return root;
    }

    /// <summary>The config a JSON object describes (not validated); unknown properties and wrong types name <paramref name="source"/>.</summary>
    public static TrainingConfig FromNode(JsonObject node, string source)
    {
        try
        {
            return node.Deserialize<TrainingConfig>(Options) ?? throw new FormatException($"{source}: the training config is null.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: invalid training config{(e.Path is null ? "" : " at " + e.Path)}: {e.Message}", e);
        }
    }

    /// <summary>The config as a JSON object.</summary>
    public static JsonObject ToNode(TrainingConfig config) => JsonSerializer.SerializeToNode(config, Options)!.AsObject();

    /// <summary>Copies <paramref name="overlay"/> into <paramref name="target"/>: objects merge property by property, anything else replaces.</summary>
    public static void Merge(JsonObject target, JsonObject overlay)
    {
        foreach (var (name, value) in overlay.ToList())
        {
            if (value is JsonObject inner && target[name] is JsonObject existing)
                Merge(existing, inner);
            else
                target[name] = value?.DeepClone();
        }
    }

    /// <summary>Properties that differ, as "path: mine -> theirs".</summary>
    public static IReadOnlyList<string> Differences(TrainingConfig mine, TrainingConfig theirs)
    {
        var a = Flatten(JsonSerializer.SerializeToNode(mine, Options)!, "");
        var b = Flatten(JsonSerializer.SerializeToNode(theirs, Options)!, "");
        return a.Keys.Union(b.Keys).Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
            .Select(k => $"{k}: {a.GetValueOrDefault(k, "(none)")} -> {b.GetValueOrDefault(k, "(none)")}").ToList();
    }

    private static Dictionary<string, string> Flatten(JsonNode node, string prefix)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
            foreach (var (name, child) in obj)
                foreach (var (key, value) in child is JsonObject ? Flatten(child, prefix + name + ".") : new() { [prefix + name] = child?.ToJsonString() ?? "null" })
                    values[key] = value;
        return values;
    }

    /// <summary>Where each property of the flat config that preceded sections now lives.</summary>
    private static readonly Dictionary<string, string> FlatToSection = new(StringComparer.Ordinal)
    {
        ["dataset"] = "data", ["grayscale"] = "data", ["imageSize"] = "data", ["inMemoryImages"] = "data", ["skipBadImages"] = "data",
        ["trainLimit"] = "data", ["testLimit"] = "data",
        ["cropPadding"] = "augmentation", ["horizontalFlip"] = "augmentation", ["erasingProbability"] = "augmentation",
        ["mixupAlpha"] = "augmentation", ["cutmixAlpha"] = "augmentation", ["labelSmoothing"] = "augmentation", ["dropPathRate"] = "augmentation",
        ["optimizer"] = "optimization", ["batchSize"] = "optimization", ["learningRate"] = "optimization", ["momentum"] = "optimization",
        ["nesterov"] = "optimization", ["weightDecay"] = "optimization", ["decayNormsAndBiases"] = "optimization",
        ["gradientClip"] = "optimization", ["emaDecay"] = "optimization",
        ["epochs"] = "schedule", ["schedule"] = "schedule.kind", ["warmupEpochs"] = "schedule",
        ["precision"] = "precision.compute", ["channelsLast"] = "precision", ["cudnnAutotune"] = "precision",
        ["initialWeights"] = "transfer", ["freeze"] = "transfer", ["unfreezeAtEpoch"] = "transfer", ["backboneLearningRateScale"] = "transfer",
        ["seed"] = "run", ["checkpointEvery"] = "run", ["logEvery"] = "run", ["flipTestTimeAugmentation"] = "run",
    };

    private static void MoveFlatProperties(JsonObject root)
    {
        var flat = root.Where(p => (FlatToSection.ContainsKey(p.Key) || p.Key == "targetTop1") && p.Value is not JsonObject).ToList();
        foreach (var (name, _) in flat)
            root.Remove(name);
        foreach (var (name, value) in flat)
        {
            if (name == "targetTop1")
            {
                if (value is not null && value.GetValue<double>() > 0)
                    Section(root, "run")["target"] = new JsonObject { ["metric"] = "top1", ["value"] = value.GetValue<double>() };
                continue;
            }
            string target = FlatToSection[name];
            var (section, property) = target.Contains('.') ? (target.Split('.')[0], target.Split('.')[1]) : (target, name);
            Section(root, section)[property] = value;
        }
    }

    private static JsonObject Section(JsonObject root, string name)
    {
        if (root[name] is JsonObject existing)
            return existing;
        var created = new JsonObject();
        root[name] = created;
        return created;
    }
}

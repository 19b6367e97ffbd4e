using System.CommandLine;
using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Options;

/// <summary>
/// A command-line option declared once: its flag, its help and the config property it sets. The option's
/// type, its default in the help, its value's place in the config's JSON and the flag named in errors all
/// follow from that one declaration. A boolean gets a <c>--no-</c> form, so a value set in a config file can
/// be turned off too.
/// </summary>
public sealed class ConfigOption
{
    private readonly Func<ParseResult, JsonNode?> _read;

    private ConfigOption(string flag, string property, IReadOnlyList<Option> options, Func<ParseResult, JsonNode?> read)
    {
        Flag = flag;
        Property = property;
        Options = options;
        _read = read;
    }

    /// <summary>The flag, e.g. --lr.</summary>
    public string Flag { get; }

    /// <summary>The property's path in the config's JSON, e.g. optimization.learningRate.</summary>
    public string Property { get; }

    /// <summary>The options to add to a command (two for a boolean).</summary>
    public IReadOnlyList<Option> Options { get; }

    /// <summary>The value given on the command line as JSON, or null when the option is absent.</summary>
    public JsonNode? Read(ParseResult parsed) => _read(parsed);

    /// <summary>An option for the config property <paramref name="property"/>; its default is read from <paramref name="defaults"/>.</summary>
    public static ConfigOption For<T>(string flag, Expression<Func<TrainingConfig, T>> property, string help, TrainingConfig defaults, string? alias = null)
    {
        string path = PathOf(property.Body);
        object? current = property.Compile()(defaults);
        string described = current is null || current is IReadOnlyList<string> { Count: 0 } ? help : $"{help} [default: {Show(current)}]";
        var type = typeof(T);
        if (type == typeof(bool))
        {
            var on = Named<bool>(flag, alias, described);
            var off = new Option<bool>("--no-" + flag[2..]) { Description = $"Turn {flag} off" };
            return new ConfigOption(flag, path, [on, off], parsed =>
            {
                bool yes = parsed.GetResult(on) is { Implicit: false } && parsed.GetValue(on), no = parsed.GetResult(off) is { Implicit: false } && parsed.GetValue(off);
                return yes && no ? throw new UsageException($"give {flag} or {off.Name}, not both.") : yes ? true : no ? false : null;
            });
        }
        if (type.IsEnum)
        {
            var option = new ChoiceOption(flag, described, ChoiceOption.NamesOf(type), null, alias is null ? [] : [alias]);
            return new ConfigOption(flag, path, [option], parsed => parsed.GetValue(option) is { } name ? ConfigName(ChoiceOption.EnumMember(type, name)!) : null);
        }
        if (type == typeof(IReadOnlyList<string>))
        {
            var option = Named<string[]?>(flag, alias, described);
            option.AllowMultipleArgumentsPerToken = true;
            return new ConfigOption(flag, path, [option], parsed => parsed.GetValue(option) is { } values ? new JsonArray(values.Select(v => (JsonNode)v).ToArray()) : null);
        }
        if (type == typeof(int))
            return Simple<int>(flag, path, alias, described);
        if (type == typeof(double))
            return Simple<double>(flag, path, alias, described);
        if (type == typeof(string))
        {
            var option = Named<string?>(flag, alias, described);
            return new ConfigOption(flag, path, [option], parsed => parsed.GetValue(option) is { } text ? JsonValue.Create(text) : null);
        }
        throw new ArgumentException($"{flag}: no command-line form for {type.Name}; declare it with {nameof(Custom)}.");
    }

    /// <summary>An option whose text becomes a config value through <paramref name="convert"/> (e.g. --heads).</summary>
    public static ConfigOption Custom(string flag, string property, string help, Func<string, object> convert)
    {
        var option = new Option<string?>(flag) { Description = help };
        return new ConfigOption(flag, property, [option],
            parsed => parsed.GetValue(option) is { } text ? JsonSerializer.SerializeToNode(Converted(text), ConfigJson.Options) : null);

        object Converted(string text)
        {
            try
            {
                return convert(text);
            }
            catch (ConfigException e)
            {
                throw new UsageException($"{flag} is {e.Value}; expected {e.Expected}.");
            }
        }
    }

    private static ConfigOption Simple<T>(string flag, string path, string? alias, string help) where T : struct
    {
        var option = Named<T?>(flag, alias, help);
        return new ConfigOption(flag, path, [option], parsed => parsed.GetValue(option) is { } value ? JsonValue.Create(value) : null);
    }

    private static Option<T> Named<T>(string flag, string? alias, string help) =>
        alias is null ? new Option<T>(flag) { Description = help } : new Option<T>(flag, alias) { Description = help };

    /// <summary>"optimization.learningRate" for c => c.Optimization.LearningRate.</summary>
    private static string PathOf(Expression body)
    {
        var names = new List<string>();
        for (var e = body; e is MemberExpression member; e = member.Expression)
            names.Insert(0, JsonNamingPolicy.CamelCase.ConvertName(member.Member.Name));
        return names.Count > 0 ? string.Join(".", names) : throw new ArgumentException("a config option names a property chain such as c => c.Optimization.LearningRate.");
    }

    /// <summary>An enum value as the config's JSON writes it (camelCase, e.g. oneCycle).</summary>
    private static JsonNode ConfigName(Enum value) => JsonValue.Create(JsonNamingPolicy.CamelCase.ConvertName(value.ToString()))!;

    private static string Show(object value) => value switch
    {
        bool b => b ? "on" : "off",
        Enum e => ChoiceOption.NameOf(e),
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        IReadOnlyList<string> list => string.Join(" ", list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}

using System.ComponentModel.DataAnnotations;

namespace Ingest.Storage;

/// <summary>A setting that must be a valid .NET regular expression (or empty).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RegexPatternAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string { Length: > 0 } pattern)
        {
            return ValidationResult.Success;
        }

        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern);
            return ValidationResult.Success;
        }
        catch (ArgumentException e)
        {
            return new ValidationResult($"'{pattern}' is not a valid regular expression: {e.Message}", [validationContext.MemberName ?? "pattern"]);
        }
    }
}

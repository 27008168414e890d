{#- Spreadsheet column letters to a number: 'A' -> 1, 'Z' -> 26, 'AA' -> 27 (up to three letters). -#}
{% macro column_number(column) -%}
    (
        case length({{ column }})
            when 1 then ascii({{ column }}) - 64
            when 2 then (ascii(left({{ column }}, 1)) - 64) * 26 + ascii(right({{ column }}, 1)) - 64
            else (ascii(left({{ column }}, 1)) - 64) * 676
                + (ascii(substr({{ column }}, 2, 1)) - 64) * 26 + ascii(right({{ column }}, 1)) - 64
        end
    )
{%- endmacro %}

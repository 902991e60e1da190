# ruff: noqa: E501  (templates keep their real line shapes)
"""Chat templates for the tests: benign ones in the styles real models use, and injections."""

from __future__ import annotations

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] | trim + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

HEADER_STYLE = """{{- bos_token }}
{%- set ns = namespace(system='') %}
{%- if messages[0]['role'] == 'system' %}
    {%- set ns.system = messages[0]['content'] | trim %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if tools is defined and tools is not none %}
    {%- set ns.system = ns.system + '\\nYou may call these tools:\\n' %}
    {%- for t in tools %}{%- set ns.system = ns.system + (t | tojson(indent=2)) + '\\n' %}{%- endfor %}
{%- endif %}
{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' + ns.system + '<|eot_id|>' }}
{%- for message in loop_messages %}
    {%- if message.role == 'assistant' and message.tool_calls is defined %}
        {%- for call in message.tool_calls %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
            {{- '{"name": "' + call.function.name + '", "arguments": ' + call.function.arguments | tojson + '}' }}
            {{- '<|eot_id|>' }}
        {%- endfor %}
    {%- else %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}
"""

INST_STYLE = """{{ bos_token }}
{%- for message in messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('Roles must alternate between user and assistant') }}
    {%- endif %}
    {%- if message['role'] == 'user' %}
        {{- '[INST] ' + message['content'].strip() + ' [/INST]' }}
    {%- elif message['role'] == 'assistant' %}
        {{- ' ' + message['content'].strip() + eos_token }}
    {%- else %}
        {{- raise_exception('Unsupported role: ' ~ message['role']) }}
    {%- endif %}
{%- endfor %}
"""

TURN_STYLE = """{%- for m in messages -%}
{%- set role = 'model' if m['role'] == 'assistant' else m['role'] -%}
{%- if m['content'] is string -%}
<start_of_turn>{{ role }}
{{ m['content'] | trim }}<end_of_turn>
{% else -%}
<start_of_turn>{{ role }}
{%- for part in m['content'] | selectattr('type', 'equalto', 'text') %}{{ part['text'] }}{% endfor %}<end_of_turn>
{% endif -%}
{%- if loop.last and m['role'] == 'user' %}{% break %}{% endif -%}
{%- endfor -%}
{%- if add_generation_prompt %}<start_of_turn>model
{% endif -%}"""

THINKING_STYLE = """{%- for message in messages %}
{%- set content = message.content %}
{%- if message.role == 'assistant' and '</think>' in content %}
{%- set content = content.split('</think>')[-1].lstrip('\\n') %}
{%- endif %}
<|{{ message.role }}|>
{% if message.role == 'assistant' %}{% generation %}{{ content }}{% endgeneration %}{% else %}{{ content }}{% endif %}
{%- endfor %}
{%- if add_generation_prompt %}<|assistant|>
<think>
{% endif %}
Today is {{ strftime_now('%d %B %Y') }}."""

MACRO_STYLE = """{%- macro render_tool(tool) -%}
{{ tool.function.name }}: {{ tool.function.description | default('') }}
{%- for name, spec in (tool.function.parameters.properties | default({})).items() %}
  - {{ name }} ({{ spec.type | default('any') }})
{%- endfor %}
{%- endmacro -%}
{%- macro turn(role) -%}<|{{ role }}|>{{ caller() }}<|end|>{%- endmacro -%}
{%- if tools %}{% call turn('system') %}Tools:
{% for t in tools %}{{ render_tool(t) }}
{% endfor %}{% endcall %}{% endif %}
{%- for m in messages | rejectattr('role', 'equalto', 'ignored') %}
{%- call turn(m.role) %}{{ m.content if m.content is string else m.content | map(attribute='text') | join('') }}{% endcall %}
{%- endfor %}
{%- if add_generation_prompt %}<|assistant|>{% endif %}"""

TOOL_CALL_STYLE = """{%- set ns = namespace(last_user=-1) %}
{%- for m in messages %}{% if m.role == 'user' %}{% set ns.last_user = loop.index0 %}{% endif %}{% endfor %}
{%- for m in messages %}
  {%- if m.role == 'assistant' and m.tool_calls %}
    {{- '<|assistant|>' }}
    {%- for call in m.tool_calls %}
      {%- set args = call.function.arguments %}
      {{- '<tool_call>' ~ {'name': call.function.name, 'arguments': args} | tojson ~ '</tool_call>' }}
    {%- endfor %}
  {%- elif m.role == 'tool' %}
    {{- '<|tool|>' ~ (m.content | string) ~ '<|end|>' }}
  {%- else %}
    {{- '<|' ~ m.role ~ '|>' ~ (m.content | trim) ~ ('<|end|>' if loop.index0 != ns.last_user or not add_generation_prompt else '') }}
  {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}"""

BENIGN = {
    "chatml": CHATML,
    "header-style": HEADER_STYLE,
    "inst-style": INST_STYLE,
    "turn-style": TURN_STYLE,
    "thinking-style": THINKING_STYLE,
    "macro-style": MACRO_STYLE,
    "tool-call-style": TOOL_CALL_STYLE,
}

_POPEN = "popen('touch /tmp/aisec-canary').read()"
INJECTIONS = {
    "cycler-globals": "{{ cycler.__init__.__globals__.os." + _POPEN + " }}" + CHATML,
    "lipsum-globals": "{{ lipsum.__globals__['os']." + _POPEN + " }}",
    "joiner-builtins": "{{ joiner.__init__.__globals__.__builtins__.__import__('os') }}",
    "namespace-gadget": "{% set ns = namespace() %}{{ ns.__init__.__globals__ }}",
    "class-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "attr-filter": "{{ ()|attr('__class__')|attr('__base__') }}",
    "concat-dunder": "{{ messages[0]|attr('__cla' ~ 'ss__') }}",
    "plus-dunder": "{% set a = '__glo' + 'bals__' %}{{ lipsum[a] }}",
    "mul-dunder": "{{ x|attr('_' * 2 + 'class' + '_' * 2) }}",
    "format-chars": "{{ x|attr('%c%cclass%c%c'|format(95, 95, 95, 95)) }}",
    "join-dunder": "{{ x|attr(['__', 'class', '__']|join) }}",
    "hex-escape": "{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "getitem-dunder": "{{ request['__class__'] }}",
    "map-attribute": "{{ messages|map(attribute='__class__')|list }}",
    "self-context": "{{ self._TemplateReference__context.cycler }}",
    "eval-call": "{{ eval('1+1') }}",
    "import-call": "{{ __import__('os').system('id') }}",
    "system-method": "{{ config.items()[0].os.system('id') }}",
    "reverse-dunder": "{{ x|attr('__ssalc__'|reverse) }}",
    "interpreter-attr": "{{ x.gi_frame.f_globals }}",
    "slice-dunder": "{{ x|attr('a__class__b'[1:-1]) }}",
    "brace-format": "{{ x|attr('{0}{0}class{0}{0}'.format('_')) }}",
    "format-field": "{{ '{0.__class__.__mro__}'.format(messages) }}",
    "index-chars": "{% set u = 'a_'[1] %}{{ x|attr(u ~ u ~ 'class' ~ u ~ u) }}",
    "include-traversal": "{% include '../../../../etc/passwd' %}",
    "import-absolute": "{% from '/etc/hosts' import x %}",
}

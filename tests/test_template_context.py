"""Templates call plain functions directly (`site/template_context.py`): the pages are what
Jinja's own way of calling makes, and a function that asks for the template's context still
gets it."""
from jinja2 import DictLoader, Environment, pass_context, pass_environment
from jinja2.runtime import Context

from conftest import SAMPLE, TODAY
from reunify.engine import pipeline
from reunify.site import render
from reunify.site.strings import Strings
from reunify.site.template_context import context_for


def test_every_page_of_both_editions_is_what_jinjas_own_calls_make(monkeypatch):
    checked = pipeline.load_checked(SAMPLE, TODAY)
    made = {}
    for way, context in (("ours", render.context_for), ("jinja's", lambda *kinds: Context)):
        monkeypatch.setattr(render, "context_for", context)
        made[way] = {language: [(p.src_uri, p.html) for p in pipeline.render_edition(
            checked, language, pictures=False).output.pages] for language in ("en", "es")}
    assert len(made["ours"]["en"]) > 80
    assert made["ours"] == made["jinja's"]


class Shout:
    def __call__(self, text):
        return text.upper()


def test_functions_that_ask_for_the_context_still_get_it():
    @pass_context
    def page_name(context, suffix):
        return context["name"] + suffix

    @pass_environment
    def has_filter(environment, name):
        return name in environment.filters

    def first(items):
        return next(iter(items))  # an empty list raises StopIteration: Jinja says undefined

    templates = {"m.html": "{% macro box(x) %}[{{ x }}{{ caller() if caller }}]{% endmacro %}",
                 "page.html": "{% import 'm.html' as m %}{{ page_name('!') }} "
                              "{{ has_filter('upper') }} {{ shout('calm') }} {{ t('common.copied') }} "
                              "{% for i in [1, 2] %}{{ m.box(i) }}{% endfor %} "
                              "{% call m.box('c') %}in{% endcall %} {{ first([]) is undefined }}"}
    outputs = []
    for context in (context_for(Strings, Shout), Context):
        env = Environment(loader=DictLoader(templates))
        env.context_class = context
        env.globals.update(page_name=page_name, has_filter=has_filter, shout=Shout(),
                           t=Strings("en"), first=first)
        outputs.append(env.get_template("page.html").render(name="Home"))
    assert outputs[0] == outputs[1]
    assert outputs[0] == "Home! True CALM Link copied [1][2] [cin] True"

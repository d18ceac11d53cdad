"""Optional AI drafting: word replies with a language model through any OpenAI-compatible endpoint.

``config`` holds the [drafting] settings, ``prompt`` builds what the model is asked, ``client``
asks it (importing openai only then), ``checks`` refuses what only a model gets wrong, ``health``
rests a failing endpoint and raises its one alert, and ``drafter`` ties them to a suggestion.
"""

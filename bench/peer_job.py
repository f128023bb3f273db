"""peer_job.py — the job both Python peers do for each tweet: parse it and
compute simple content statistics, as a Python user of pika or aio-pika would."""
import json
import re

HASHTAG = re.compile(r"#(\w+)")
MENTION = re.compile(r"@(\w+)")
URL = re.compile(r"https?://\S+")


def analyse(body):
    """The result for one tweet body: its id and content statistics."""
    tweet = json.loads(body)
    text = tweet["text"]
    return {
        "id": str(tweet["id"]),
        "content": {
            "chars": len(text),
            "words": len(text.split()),
            "hashtags": HASHTAG.findall(text),
            "mentions": MENTION.findall(text),
            "urls": URL.findall(text),
        },
    }

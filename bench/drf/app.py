"""The benchmark's peer: a Django REST framework app of the shape of
drf-missed-call-auth, on Debian's packages (python3-djangorestframework,
python3-redis, python3-jwt; gunicorn serves it).

  request: a session in Redis with a random caller from a Redis pool,
           and the gateway's call (the same instant gateway as nginx's)
  verify:  the received caller id against the session's, then a JWT
  check:   a JWT from the Authorization header, 204 or 401

Settings come from the environment: DRF_REDIS (port), DRF_GATEWAY (URL),
DRF_SECRET (HS256 key).  Run: gunicorn -w 2 --chdir bench/drf app
"""

import hmac
import os
import re
import time
import uuid

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get('DRF_SECRET', 'bench'),
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=['*'],
    INSTALLED_APPS=['rest_framework'],
    MIDDLEWARE=[],
    DATABASES={},
    REST_FRAMEWORK={
        'DEFAULT_AUTHENTICATION_CLASSES': [],
        'DEFAULT_PERMISSION_CLASSES': [],
        'UNAUTHENTICATED_USER': None,
        'DEFAULT_RENDERER_CLASSES': ['rest_framework.renderers.JSONRenderer'],
        'DEFAULT_PARSER_CLASSES': ['rest_framework.parsers.JSONParser'],
    },
)
django.setup()

import jwt  # noqa: E402
import redis  # noqa: E402
import requests  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import serializers, status  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

R = redis.Redis(port=int(os.environ.get('DRF_REDIS', 6379)))
GATEWAY = os.environ.get('DRF_GATEWAY', 'http://127.0.0.1:8080/call')
SECRET = settings.SECRET_KEY
TTL = 120
MAX_ATTEMPTS = 3
PREFIX = 'drf:'
HTTP = requests.Session()


def e164(value):
    digits = re.sub(r'[^\d+]', '', value)
    if digits.startswith('00'):
        digits = '+' + digits[2:]
    if not re.fullmatch(r'\+[1-9]\d{6,14}', digits):
        raise serializers.ValidationError('invalid phone number')
    return digits


class RequestSerializer(serializers.Serializer):
    phone_number = serializers.CharField(max_length=32)
    app_signature = serializers.CharField(max_length=32, required=False)

    def validate_phone_number(self, value):
        return e164(value)


class VerifySerializer(serializers.Serializer):
    phone_number = serializers.CharField(max_length=32, required=False)
    session_id = serializers.UUIDField(required=False)
    received_caller_id = serializers.CharField(max_length=32)

    def validate_phone_number(self, value):
        return e164(value)


class RequestView(APIView):
    def post(self, request):
        s = RequestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        phone = s.validated_data['phone_number']
        caller = R.srandmember(PREFIX + 'pool')
        if caller is None:
            return Response({'detail': 'No caller available.'},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        caller = caller.decode()
        sid = str(uuid.uuid4())
        key = PREFIX + 'session:' + sid
        R.hset(key, mapping={'phone': phone, 'caller': caller,
                             'attempts': 0,
                             'expires': int(time.time()) + TTL})
        R.expire(key, TTL)
        try:
            r = HTTP.post(GATEWAY, json={'to': phone, 'from': caller},
                          timeout=5)
            r.raise_for_status()
        except requests.RequestException:
            R.delete(key)
            return Response({'detail': 'Gateway error.'},
                            status=status.HTTP_502_BAD_GATEWAY)
        R.set(PREFIX + 'phone:' + phone, sid, ex=TTL)
        return Response({'detail': 'Flash call initiated. Please observe '
                         'incoming calls.', 'session_id': sid,
                         'expires_in': TTL},
                        status=status.HTTP_202_ACCEPTED)


class VerifyView(APIView):
    def post(self, request):
        s = VerifySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        sid = s.validated_data.get('session_id')
        if sid is None:
            phone = s.validated_data.get('phone_number', '')
            sid = R.get(PREFIX + 'phone:' + phone)
            sid = sid.decode() if sid else ''
        key = PREFIX + 'session:' + str(sid)
        session = {k.decode(): v.decode()
                   for k, v in R.hgetall(key).items()}
        if not session or int(session['expires']) < time.time():
            return Response({'detail': 'Session not found or expired.'},
                            status=status.HTTP_404_NOT_FOUND)
        got = re.sub(r'\D', '', s.validated_data['received_caller_id'])
        if not hmac.compare_digest(got, session['caller'][1:]):
            attempts = R.hincrby(key, 'attempts', 1)
            if attempts >= MAX_ATTEMPTS:
                R.delete(key)
            return Response({'detail': 'Verification failed.',
                             'attempts_left': MAX_ATTEMPTS - attempts},
                            status=status.HTTP_400_BAD_REQUEST)
        R.delete(key)
        now = int(time.time())
        token = jwt.encode({'sub': session['phone'], 'iat': now,
                            'exp': now + 3600}, SECRET, algorithm='HS256')
        return Response({'detail': 'Verification successful.',
                         'verified': True,
                         'phone_number': session['phone'], 'token': token,
                         'token_type': 'Bearer', 'expires_in': 3600})


class CheckView(APIView):
    def get(self, request):
        auth = request.META.get('HTTP_AUTHORIZATION', '')
        if not auth.startswith('Bearer '):
            return Response(status=status.HTTP_401_UNAUTHORIZED)
        try:
            claims = jwt.decode(auth[7:], SECRET, algorithms=['HS256'])
        except jwt.InvalidTokenError:
            return Response(status=status.HTTP_401_UNAUTHORIZED)
        return Response(status=status.HTTP_204_NO_CONTENT,
                        headers={'X-Verified-Phone': claims['sub']})


urlpatterns = [
    path('otp/request/', RequestView.as_view()),
    path('otp/verify/', VerifyView.as_view()),
    path('check', CheckView.as_view()),
]

application = get_wsgi_application()

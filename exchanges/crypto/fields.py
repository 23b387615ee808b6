"""EncryptedTextField: a model field whose plaintext exists only in memory, on request.

Reading the attribute gives a `Secret` (masked when printed, refuses pickling); `reveal()`
decrypts. Assigning a string marks a new plaintext, encrypted by `save()` with the owner's
data key and bound to (model, field, owner, primary key). The database, `values()`,
serializers and `dumpdata` only ever see ciphertext; forms and the admin see nothing.
"""

from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from exchanges.crypto import cipher, datakeys
from exchanges.crypto.cipher import Ciphertext

MASK = "********"


class _Masked:
    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {MASK}>"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __reduce__(self):
        raise TypeError("Secrets cannot be pickled: pass ids to tasks, not secrets.")


class Secret(_Masked):
    """A stored secret. `reveal()` decrypts it; nothing else shows the plaintext."""

    __slots__ = ("_field", "_instance", "ciphertext")

    def __init__(self, instance: models.Model, field: "EncryptedTextField", ciphertext: str):
        self._instance = instance
        self._field = field
        self.ciphertext = Ciphertext(ciphertext)

    def reveal(self) -> str:
        header = cipher.parse(self.ciphertext)
        data_key = datakeys.get(self._field.owner_id(self._instance), header.data_key_version)
        return cipher.decrypt(
            header, data_key=data_key, bound_to=self._field.binding(self._instance)
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.ciphertext == self.ciphertext

    __hash__ = None  # type: ignore[assignment]


class PendingSecret(_Masked):
    """A plaintext assigned to the field and not saved yet."""

    __slots__ = ("_plaintext",)

    def __init__(self, plaintext: str) -> None:
        self._plaintext = plaintext

    def reveal(self) -> str:
        return self._plaintext


class SecretDescriptor(DeferredAttribute):
    field: "EncryptedTextField"

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if value is None or isinstance(value, PendingSecret):
            return value
        return Secret(instance, self.field, value)

    def __set__(self, instance, value) -> None:
        if isinstance(value, Secret):
            # Same field (refresh_from_db does this): its ciphertext is bound to its row, so
            # it only ever decrypts there.
            if value._field is not self.field:
                raise TypeError("Assign the plaintext, not a Secret taken from another field.")
            value = value.ciphertext
        elif isinstance(value, str) and not isinstance(value, Ciphertext):
            value = PendingSecret(value)
        elif value is not None and not isinstance(value, Ciphertext | PendingSecret):
            raise TypeError("An encrypted field takes a string.")
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    descriptor_class = SecretDescriptor

    def __init__(self, *args: Any, owner_field: str = "user", **kwargs: Any) -> None:
        self.owner_field = owner_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.owner_field != "user":
            kwargs["owner_field"] = self.owner_field
        return name, path, args, kwargs

    def owner_id(self, instance: models.Model) -> int:
        return getattr(instance, f"{self.owner_field}_id")

    def binding(self, instance: models.Model) -> str:
        if instance.pk is None:
            raise ValueError("An encrypted value is bound to its row: set the primary key first.")
        return f"{instance._meta.label_lower}|{self.name}|{self.owner_id(instance)}|{instance.pk}"

    def encrypt_for(self, instance: models.Model, plaintext: str) -> Ciphertext:
        version, data_key = datakeys.active(self.owner_id(instance))
        return cipher.encrypt(
            plaintext, data_key=data_key, data_key_version=version, bound_to=self.binding(instance)
        )

    def pre_save(self, model_instance: models.Model, add: bool) -> Ciphertext | None:
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, PendingSecret):
            value = self.encrypt_for(model_instance, value.reveal())
            # Kept: saving again without a new plaintext keeps this very ciphertext.
            model_instance.__dict__[self.attname] = value
        return value

    def from_db_value(self, value, expression, connection) -> Ciphertext | None:
        return None if value is None else Ciphertext(value)

    def to_python(self, value):
        # Deserialisation (loaddata) hands over the stored form: ciphertext.
        if value is None or isinstance(value, Secret | PendingSecret | Ciphertext):
            return value
        return Ciphertext(value)

    def get_prep_value(self, value):
        if value is None or isinstance(value, Ciphertext):
            return None if value is None else str(value)
        if isinstance(value, Secret):
            return str(value.ciphertext)
        raise TypeError(
            f"{self.model._meta.label}.{self.name} stores only encrypted values: assign the "
            "plaintext to an instance and save() it; update() and bulk_update() cannot encrypt."
        )

    def value_to_string(self, obj: models.Model) -> str:
        value = obj.__dict__.get(self.attname)
        return None if value is None else self.get_prep_value(value)  # type: ignore[return-value]

    def get_lookup(self, lookup_name: str):
        if lookup_name != "isnull":
            raise FieldError(f"Encrypted fields cannot be searched ({lookup_name!r}): only isnull.")
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str):
        raise FieldError("Encrypted fields cannot be transformed or searched.")

    def formfield(self, **kwargs: Any) -> None:  # type: ignore[override]
        # Forms (the admin's included) never receive ciphertext, let alone plaintext.
        return None

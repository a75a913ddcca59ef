import { Migration } from '@mikro-orm/migrations';

/**
 * The birth date a KYC provider verified, apart from the one the user typed: only a verified date
 * may weaken a sanctions name match.
 */
export class Migration20261130100000_verified_birth_date extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table users add column verified_date_of_birth date null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table users drop column verified_date_of_birth`);
  }
}
